/**
 * `media.probe`: reads a raw recording's container and streams and rejects what is not media.
 */
import * as Effect from "effect/Effect"
import type { MediaProbeInput } from "@videoag/domain"
import * as Ffprobe from "../Ffprobe.js"
import * as MediaRoot from "../MediaRoot.js"

export const run = (input: MediaProbeInput) =>
  Effect.gen(function* () {
    const source = yield* MediaRoot.resolveFile(input.sourcePath)
    yield* Effect.logInfo("Probing source file").pipe(
      Effect.annotateLogs({ path: source.relativePath })
    )
    return yield* Ffprobe.probe(source)
  }).pipe(Effect.withSpan("MediaProbe.run"))
