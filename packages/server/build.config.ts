/** Build config of the API server image, read by packages/pipeline (`npm run pipeline`). */
import type { BuildConfigInput } from "@videoag/pipeline"

export default {
  targetImageName: "videoag-server",
  buildDependencies: ["../domain"],
  dockerfileExtra: `
ENV VIDEOAG_HTTP_PORT=5000
EXPOSE 5000
CMD ["node", "--import", "tsx", "$MODULE_DIR/src/main.ts"]
`,
  ciTestJobTemplate: `
variables:
    GIT_STRATEGY: none
script:
    - cd /code
    - npx vitest run $MODULE_DIR
`
} satisfies BuildConfigInput
