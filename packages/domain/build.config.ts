/** Build config of the shared library: no image of its own, built into every image. */
import type { BuildConfigInput } from "@videoag/pipeline"

export default {
  library: true
} satisfies BuildConfigInput
