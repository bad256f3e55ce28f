/**
 * Encodes every rendition of a source in one ffmpeg run: the source is decoded once, split in
 * the filter graph and written to one output per rendition, with progress parsed from
 * `-progress pipe:1`.
 */
import * as Command from "@effect/platform/Command"
import * as Effect from "effect/Effect"
import type { MediaProbeOutput } from "@videoag/domain"
import { JobFailure } from "./JobFailure.js"
import * as ProcessRunner from "./ProcessRunner.js"
import type { EncoderSettings } from "./WorkerConfig.js"
import { WorkerConfig } from "./WorkerConfig.js"

export interface VideoOutput {
  readonly kind: "video"
  readonly profile: string
  readonly height: number
  readonly fileName: string
}

export interface AudioOutput {
  readonly kind: "audio"
  readonly profile: string
  readonly fileName: string
}

export type PlannedOutput = VideoOutput | AudioOutput

export const mimeTypeOf = (output: PlannedOutput) =>
  output.kind === "video" ? "video/mp4" : "audio/mp4"

/**
 * The ffmpeg arguments that write every planned output into `directory`. Video outputs are
 * H.264 yuv420p with even dimensions and square pixels; audio is AAC stereo; MP4 files carry
 * their index at the front so browsers can start playback before the download ends.
 */
export const buildArguments = (options: {
  readonly sourcePath: string
  readonly directory: string
  readonly outputs: ReadonlyArray<PlannedOutput>
  readonly probe: MediaProbeOutput
  readonly encoder: EncoderSettings
}): ReadonlyArray<string> => {
  const { encoder, probe } = options
  const videos = options.outputs.filter((output): output is VideoOutput => output.kind === "video")
  const audios = options.outputs.filter((output): output is AudioOutput => output.kind === "audio")
  const hasAudio = probe.audio !== null
  const args: Array<string> = [
    "-hide_banner",
    "-nostdin",
    "-loglevel",
    "error",
    "-y",
    "-i",
    options.sourcePath
  ]

  if (videos.length > 0) {
    const labels = videos.map((_, index) => `split${index}`)
    const scaled = videos.map(
      (video, index) =>
        `[${labels[index]}]scale=w=trunc(${video.height}*dar/2)*2:h=${video.height},setsar=1,format=yuv420p[video${index}]`
    )
    args.push(
      "-filter_complex",
      [
        `[0:v:0]split=${videos.length}${labels.map((label) => `[${label}]`).join("")}`,
        ...scaled
      ].join(";")
    )
  }

  const audioCodec = ["-c:a", "aac", "-b:a", `${encoder.audioBitrateKbps}k`, "-ac", "2"]
  const container = (file: string) => [
    "-map_metadata",
    "-1",
    "-map_chapters",
    "-1",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
    `${options.directory}/${file}`
  ]

  videos.forEach((video, index) => {
    args.push("-map", `[video${index}]`)
    if (hasAudio) args.push("-map", "0:a:0", ...audioCodec)
    args.push(
      "-c:v",
      "libx264",
      "-preset",
      encoder.preset,
      "-crf",
      String(encoder.crf),
      "-profile:v",
      "high",
      "-threads",
      String(encoder.threads),
      ...container(video.fileName)
    )
  })
  for (const audio of audios) {
    args.push("-map", "0:a:0", "-vn", ...audioCodec, ...container(audio.fileName))
  }
  args.push("-progress", "pipe:1", "-nostats")
  return args
}

export interface EncodeProgress {
  readonly percent: number
  readonly etaSeconds: number | null
}

/** Runs ffmpeg with the given arguments and reports progress against `durationSeconds`. */
export const encode = <R>(
  args: ReadonlyArray<string>,
  durationSeconds: number,
  onProgress: (progress: EncodeProgress) => Effect.Effect<void, never, R>
) =>
  Effect.gen(function* () {
    const settings = yield* WorkerConfig
    const startedAt = Date.now()
    const outcome = yield* ProcessRunner.run(Command.make(settings.ffmpegPath, ...args), {
      onStdoutLine: (line) => {
        const match = /^out_time_us=(\d+)$/.exec(line.trim())
        if (match === null || durationSeconds <= 0) return Effect.void
        const seconds = Number(match[1]) / 1_000_000
        const percent = Math.min(99.9, (seconds / durationSeconds) * 100)
        const elapsed = (Date.now() - startedAt) / 1000
        const etaSeconds = percent > 1 ? Math.round((elapsed / percent) * (100 - percent)) : null
        return onProgress({ percent: Math.round(percent * 10) / 10, etaSeconds })
      }
    }).pipe(
      Effect.mapError(
        (cause) =>
          new JobFailure({
            kind: "temporary",
            code: "ffmpeg_failed",
            message: `Could not run ${settings.ffmpegPath} to the end: ${cause.message}`,
            cause
          })
      )
    )
    if (outcome.exitCode !== 0) {
      const details = outcome.stderrTail.slice(-5).join(" | ") || "no details"
      const diskFull = outcome.stderrTail.some((line) => line.includes("No space left on device"))
      return yield* new JobFailure({
        kind: diskFull ? "temporary" : "media",
        code: diskFull ? "disk_full" : "transcode_failed",
        message: `ffmpeg exited with code ${outcome.exitCode}: ${details}`
      })
    }
  })
