/**
 * Settings of the worker CLI, read from the environment the executor sets.
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { WorkerEnvironment } from "@videoag/domain"

export interface EncoderSettings {
  /** x264 preset, from `ultrafast` to `veryslow`. */
  readonly preset: string
  /** x264 constant rate factor: lower is better quality and larger files. */
  readonly crf: number
  readonly audioBitrateKbps: number
  /** Encoder threads; 0 lets ffmpeg choose. */
  readonly threads: number
}

export interface WorkerSettings {
  readonly mediaRoot: string
  readonly ffmpegPath: string
  readonly ffprobePath: string
  readonly encoder: EncoderSettings
}

export class WorkerConfig extends Context.Tag("@videoag/workers/WorkerConfig")<
  WorkerConfig,
  WorkerSettings
>() {}

const presets = [
  "ultrafast",
  "superfast",
  "veryfast",
  "faster",
  "fast",
  "medium",
  "slow",
  "slower",
  "veryslow"
]

export const settingsConfig: Config.Config<WorkerSettings> = Config.all({
  mediaRoot: Config.string(WorkerEnvironment.mediaRoot),
  ffmpegPath: Config.withDefault(Config.string("VIDEOAG_FFMPEG_PATH"), "ffmpeg"),
  ffprobePath: Config.withDefault(Config.string("VIDEOAG_FFPROBE_PATH"), "ffprobe"),
  encoder: Config.all({
    preset: Config.string("VIDEOAG_X264_PRESET").pipe(
      Config.validate({
        message: `Expected one of ${presets.join(", ")}`,
        validation: (value) => presets.includes(value)
      }),
      Config.withDefault("veryfast")
    ),
    crf: Config.integer("VIDEOAG_X264_CRF").pipe(
      Config.validate({
        message: "Expected an integer from 0 to 51",
        validation: (value) => value >= 0 && value <= 51
      }),
      Config.withDefault(23)
    ),
    audioBitrateKbps: Config.integer("VIDEOAG_AUDIO_BITRATE_KBPS").pipe(
      Config.validate({
        message: "Expected kilobits per second from 32 to 512",
        validation: (value) => value >= 32 && value <= 512
      }),
      Config.withDefault(128)
    ),
    threads: Config.integer("VIDEOAG_FFMPEG_THREADS").pipe(
      Config.validate({
        message: "Expected a thread count from 0 (automatic) to 64",
        validation: (value) => value >= 0 && value <= 64
      }),
      Config.withDefault(0)
    )
  })
})

export const layer = Layer.effect(WorkerConfig, settingsConfig)

export const layerWith = (settings: WorkerSettings) => Layer.succeed(WorkerConfig, settings)

export const mediaRoot = Effect.map(WorkerConfig, (settings) => settings.mediaRoot)
