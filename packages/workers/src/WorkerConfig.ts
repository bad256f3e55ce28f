/**
 * Settings of the worker CLI, read from the environment the executor sets.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import { WorkerEnvironment } from "@videoag/domain"

/** The bitrate cap of renditions up to a size (the picture's shorter side). */
export interface BitrateCap {
  readonly height: number
  readonly maxKbps: number
}

export interface EncoderSettings {
  /** x264 preset, from `ultrafast` to `veryslow`. */
  readonly preset: string
  /** x264 constant rate factor: lower is better quality and larger files. */
  readonly crf: number
  readonly audioBitrateKbps: number
  /** Encoder threads; 0 lets ffmpeg choose. */
  readonly threads: number
  /**
   * Peak bitrate caps, smallest size first. A rendition gets the cap of the smallest listed
   * size at or above its own, or the largest cap when it is larger than every listed size.
   */
  readonly maxBitrates: ReadonlyArray<BitrateCap>
  /** Target length of an HLS segment; keyframes are forced at this interval. */
  readonly hlsSegmentSeconds: number
}

export interface WorkerSettings {
  readonly mediaRoot: string
  readonly ffmpegPath: string
  readonly ffprobePath: string
  readonly encoder: EncoderSettings
  /** An ffmpeg run without progress for this long is stopped, and the attempt fails. */
  readonly stallTimeout: Duration.Duration
  /** Replaces the time limit of every job type when set. */
  readonly timeLimit: Option.Option<Duration.Duration>
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

/** The caps of `VIDEOAG_VIDEO_MAX_BITRATES` when it is not set, in kilobits per second. */
export const defaultMaxBitrates = "1080=6000,720=3000,360=1000"

/** Parses `1080=6000,720=3000` (size in pixels = kilobits per second) into caps, smallest first. */
export const parseBitrateCaps = (
  text: string
): Either.Either<ReadonlyArray<BitrateCap>, string> => {
  const caps: Array<BitrateCap> = []
  for (const item of text.split(",").map((part) => part.trim())) {
    const match = /^(\d{2,4})\s*=\s*(\d{2,6})$/.exec(item)
    if (match === null) {
      return Either.left(
        `Expected entries like 1080=6000 (size in pixels = kilobits per second), separated by commas; ${JSON.stringify(item)} is not one`
      )
    }
    caps.push({ height: Number(match[1]), maxKbps: Number(match[2]) })
  }
  return Either.right(caps.sort((a, b) => a.height - b.height))
}

const positiveDuration = (name: string, fallback: Duration.DurationInput) =>
  Config.duration(name).pipe(
    Config.validate({
      message: "Expected a positive duration such as 5 minutes",
      validation: (value: Duration.Duration) => Duration.greaterThan(value, Duration.zero)
    }),
    Config.withDefault(Duration.decode(fallback))
  )

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
    ),
    maxBitrates: Config.string("VIDEOAG_VIDEO_MAX_BITRATES").pipe(
      Config.withDefault(defaultMaxBitrates),
      Config.mapOrFail((text) =>
        Either.mapLeft(parseBitrateCaps(text), (message) =>
          ConfigError.InvalidData(["VIDEOAG_VIDEO_MAX_BITRATES"], message)
        )
      )
    ),
    hlsSegmentSeconds: Config.integer("VIDEOAG_HLS_SEGMENT_SECONDS").pipe(
      Config.validate({
        message: "Expected whole seconds from 2 to 20",
        validation: (value) => value >= 2 && value <= 20
      }),
      Config.withDefault(6)
    )
  }),
  stallTimeout: positiveDuration("VIDEOAG_FFMPEG_STALL_TIMEOUT", "5 minutes"),
  timeLimit: Config.option(
    Config.duration("VIDEOAG_JOB_TIME_LIMIT").pipe(
      Config.validate({
        message: "Expected a positive duration such as 8 hours",
        validation: (value: Duration.Duration) => Duration.greaterThan(value, Duration.zero)
      })
    )
  )
})

export const layer = Layer.effect(WorkerConfig, settingsConfig)

export const layerWith = (settings: WorkerSettings) => Layer.succeed(WorkerConfig, settings)

export const mediaRoot = Effect.map(WorkerConfig, (settings) => settings.mediaRoot)
