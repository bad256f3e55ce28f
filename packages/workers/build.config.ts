/**
 * Build config of the worker image, read by packages/pipeline (`npm run pipeline`). A Job runs
 * `videoag-worker run <job type>` in it.
 */
import type { BuildConfigInput } from "@videoag/pipeline"

export default {
  targetImageName: "videoag-worker",
  buildDependencies: ["../domain"],
  aptRuntimeDependencies: ["ffmpeg"],
  dockerfileExtra: `
RUN printf '#!/bin/sh\\nexec node --import tsx /code/$MODULE_DIR/src/main.ts "$@"\\n' > /usr/local/bin/videoag-worker \\
    && chmod 0755 /usr/local/bin/videoag-worker
CMD ["videoag-worker"]
`,
  ciTestJobTemplate: `
variables:
    GIT_STRATEGY: none
script:
    - cd /code
    - npx vitest run $MODULE_DIR
`
} satisfies BuildConfigInput
