/**
 * `media.transcode`: encodes a raw recording into the requested renditions and an audio-only
 * file in one ffmpeg run. Outputs are written to the attempt's work folder and renamed into the
 * output folder only after all of them are complete and verified, so a failed or stopped job
 * leaves no partial file where the file provider would serve it.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import type {
  MediaProbeOutput,
  MediaTranscodeInput,
  MediaTranscodeOutput,
  TranscodedFile
} from "@videoag/domain"
import * as Ffmpeg from "../Ffmpeg.js"
import * as Ffprobe from "../Ffprobe.js"
import { JobFailure } from "../JobFailure.js"
import * as MediaRoot from "../MediaRoot.js"
import { WorkerChannel } from "../WorkerChannel.js"
import { WorkerConfig } from "../WorkerConfig.js"

export interface AttemptIdentity {
  readonly jobId: string
  readonly attempt: string
}

/**
 * The outputs to write for a source: renditions at or below the source's display height (no
 * upscaling; a source smaller than every rendition gets one rendition at its own height), and
 * the audio file when the source has audio.
 */
export const planOutputs = (
  input: MediaTranscodeInput,
  probe: MediaProbeOutput
): ReadonlyArray<Ffmpeg.PlannedOutput> => {
  const outputs: Array<Ffmpeg.PlannedOutput> = []
  if (probe.video !== null && input.renditions.length > 0) {
    const sourceHeight = probe.video.displayHeight
    const fitting = input.renditions.filter((rendition) => rendition.height <= sourceHeight)
    const smallest = [...input.renditions].sort((a, b) => a.height - b.height)[0]
    const chosen =
      fitting.length > 0 || smallest === undefined
        ? fitting
        : [{ ...smallest, height: sourceHeight - (sourceHeight % 2) }]
    for (const rendition of chosen) {
      outputs.push({
        kind: "video",
        profile: rendition.profile,
        height: rendition.height,
        fileName: `${input.fileNamePrefix}-${rendition.profile}.mp4`
      })
    }
  }
  if (probe.audio !== null && input.audioProfile !== null) {
    outputs.push({
      kind: "audio",
      profile: input.audioProfile,
      fileName: `${input.fileNamePrefix}-${input.audioProfile}.m4a`
    })
  }
  return outputs
}

/** Probes a finished output and describes it as it will be published at `publishedPath`. */
const verify = (output: Ffmpeg.PlannedOutput, absolutePath: string, publishedPath: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs
      .stat(absolutePath)
      .pipe(
        Effect.mapError(
          MediaRoot.fileSystemFailure("output_missing", "read the output", output.fileName)
        )
      )
    const written: MediaRoot.ResolvedFile = {
      relativePath: output.fileName,
      absolutePath,
      sizeBytes: Number(info.size),
      modifiedAt: new Date()
    }
    const probe = yield* Ffprobe.probe(written).pipe(
      Effect.mapError(
        (cause) =>
          new JobFailure({
            kind: "internal",
            code: "output_invalid",
            message: `ffmpeg wrote ${output.fileName}, but it does not probe as media: ${cause.message}`,
            cause
          })
      )
    )
    const file: TranscodedFile = {
      profile: output.profile,
      path: publishedPath,
      mimeType: Ffmpeg.mimeTypeOf(output),
      sizeBytes: written.sizeBytes,
      durationSeconds: probe.durationSeconds,
      width: output.kind === "video" ? (probe.video?.width ?? null) : null,
      height: output.kind === "video" ? (probe.video?.height ?? null) : null,
      bitRate: probe.bitRate
    }
    return file
  })

export const run = (input: MediaTranscodeInput, attempt: AttemptIdentity) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const settings = yield* WorkerConfig
    const channel = yield* WorkerChannel

    const source = yield* MediaRoot.resolveFile(input.sourcePath)
    const probe = yield* Ffprobe.probe(source)
    const target = yield* MediaRoot.resolveOutputDirectory(input.outputDirectory)
    const outputs = planOutputs(input, probe)
    if (outputs.length === 0) {
      return yield* new JobFailure({
        kind: "media",
        code: "nothing_to_encode",
        message: `The file ${JSON.stringify(source.relativePath)} has no stream for the requested outputs`
      })
    }

    const work = yield* MediaRoot.workDirectory(attempt.jobId, attempt.attempt)
    yield* Effect.logInfo("Transcoding source file").pipe(
      Effect.annotateLogs({
        path: source.relativePath,
        outputs: outputs.map((output) => output.fileName).join(", ")
      })
    )
    yield* channel.emit({ event: "progress", percent: 0, etaSeconds: null, message: "encoding" })
    yield* Ffmpeg.encode(
      Ffmpeg.buildArguments({
        sourcePath: source.absolutePath,
        directory: work,
        outputs,
        probe,
        encoder: settings.encoder
      }),
      probe.durationSeconds,
      (progress) => channel.emit({ event: "progress", ...progress, message: "encoding" })
    )

    const files = yield* Effect.forEach(outputs, (output) =>
      verify(output, path.join(work, output.fileName), `${target.relativePath}/${output.fileName}`)
    )
    yield* fs
      .makeDirectory(target.absolutePath, { recursive: true })
      .pipe(
        Effect.mapError(
          MediaRoot.fileSystemFailure("output_directory_failed", "create", target.relativePath)
        )
      )
    for (const output of outputs) {
      yield* fs
        .rename(path.join(work, output.fileName), path.join(target.absolutePath, output.fileName))
        .pipe(
          Effect.mapError(
            MediaRoot.fileSystemFailure(
              "publish_failed",
              "move the output into",
              target.relativePath
            )
          )
        )
    }
    const result: MediaTranscodeOutput = { files }
    return result
  }).pipe(Effect.scoped, Effect.withSpan("MediaTranscode.run"))
