/**
 * Build config of the orchestrator image, read by packages/pipeline (`npm run pipeline`).
 * NOTE: the image holds no worker CLI, so it starts worker Jobs through the Kubernetes executor;
 * the local-process executor needs the worker package beside it (docker/compose.yaml runs the
 * orchestrator from the worker image's test stage for that reason).
 */
import type { BuildConfigInput } from "@videoag/pipeline"

export default {
  targetImageName: "videoag-orchestrator",
  buildDependencies: ["../domain"],
  dockerfileExtra: `
ENV VIDEOAG_ORCHESTRATOR_HEALTH_PORT=5002
EXPOSE 5002
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
