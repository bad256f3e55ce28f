/**
 * Reads a media file's container and streams with ffprobe and decodes its JSON report into the
 * `media.probe` output.
 */
import * as Command from "@effect/platform/Command"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { MediaProbeOutput, ProbedAudioStream, ProbedVideoStream } from "@videoag/domain"
import { JobFailure } from "./JobFailure.js"
import type { ResolvedFile } from "./MediaRoot.js"
import * as ProcessRunner from "./ProcessRunner.js"
import { WorkerConfig } from "./WorkerConfig.js"

/** ffprobe writes numbers such as durations and sample rates as strings. */
const NumericString = Schema.NumberFromString

const FfprobeStream = Schema.Struct({
  index: Schema.Int,
  codec_type: Schema.optional(Schema.String),
  codec_name: Schema.optional(Schema.String),
  width: Schema.optional(Schema.Int),
  height: Schema.optional(Schema.Int),
  pix_fmt: Schema.optional(Schema.String),
  profile: Schema.optional(Schema.String),
  level: Schema.optional(Schema.Number),
  color_transfer: Schema.optional(Schema.String),
  field_order: Schema.optional(Schema.String),
  sample_aspect_ratio: Schema.optional(Schema.String),
  avg_frame_rate: Schema.optional(Schema.String),
  r_frame_rate: Schema.optional(Schema.String),
  channels: Schema.optional(Schema.Int),
  sample_rate: Schema.optional(NumericString),
  disposition: Schema.optional(Schema.Struct({ attached_pic: Schema.optional(Schema.Int) })),
  tags: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  side_data_list: Schema.optional(
    Schema.Array(
      Schema.Struct({
        side_data_type: Schema.optional(Schema.String),
        rotation: Schema.optional(Schema.Number)
      })
    )
  )
})
export type FfprobeStream = typeof FfprobeStream.Type

export const FfprobeReport = Schema.Struct({
  streams: Schema.optionalWith(Schema.Array(FfprobeStream), { default: () => [] }),
  format: Schema.optional(
    Schema.Struct({
      format_name: Schema.String,
      duration: Schema.optional(NumericString),
      size: Schema.optional(NumericString),
      bit_rate: Schema.optional(NumericString)
    })
  )
})
export type FfprobeReport = typeof FfprobeReport.Type

const FfprobeReportFromJson = Schema.parseJson(FfprobeReport)

/** Parses a rational like `30000/1001`; returns null for `0/0` and malformed values. */
const parseRational = (value: string | undefined): number | null => {
  if (value === undefined) return null
  const [numerator, denominator] = value.split(/[/:]/).map(Number)
  if (numerator === undefined || denominator === undefined || !Number.isFinite(numerator))
    return null
  if (!Number.isFinite(denominator) || denominator === 0 || numerator === 0) return null
  return numerator / denominator
}

/** Clockwise rotation a player applies, normalised to 0, 90, 180 or 270 degrees. */
export const rotationOf = (stream: FfprobeStream): number => {
  const matrix = stream.side_data_list?.find((entry) => entry.rotation !== undefined)
  // The display matrix stores the counter-clockwise angle; the older `rotate` tag is clockwise.
  const degrees =
    matrix?.rotation !== undefined ? -matrix.rotation : Number(stream.tags?.["rotate"] ?? 0)
  const normalized = (((Math.round(degrees / 90) * 90) % 360) + 360) % 360
  return Number.isFinite(normalized) ? normalized : 0
}

const toVideoStream = (stream: FfprobeStream): ProbedVideoStream | null => {
  if (
    stream.width === undefined ||
    stream.height === undefined ||
    stream.width <= 0 ||
    stream.height <= 0
  ) {
    return null
  }
  const rotation = rotationOf(stream)
  const sampleAspectRatio = parseRational(stream.sample_aspect_ratio) ?? 1
  const width = Math.round(stream.width * sampleAspectRatio)
  const upright = rotation === 90 || rotation === 270
  return {
    codec: stream.codec_name ?? "unknown",
    width: stream.width,
    height: stream.height,
    displayWidth: upright ? stream.height : width,
    displayHeight: upright ? width : stream.height,
    rotationDegrees: rotation,
    pixelFormat: stream.pix_fmt ?? null,
    framesPerSecond: parseRational(stream.avg_frame_rate) ?? parseRational(stream.r_frame_rate),
    colorTransfer: stream.color_transfer ?? null,
    fieldOrder: stream.field_order ?? null,
    streamIndex: stream.index
  }
}

const toAudioStream = (stream: FfprobeStream): ProbedAudioStream => ({
  codec: stream.codec_name ?? "unknown",
  channels: stream.channels ?? 0,
  sampleRate: stream.sample_rate !== undefined ? Math.round(stream.sample_rate) : null
})

const stillImageCodecs: ReadonlySet<string> = new Set([
  "png",
  "mjpeg",
  "bmp",
  "gif",
  "webp",
  "tiff"
])

/** Turns an ffprobe report into the probe output, or fails when the file is not usable media. */
export const interpret = (
  report: FfprobeReport,
  file: ResolvedFile
): Effect.Effect<MediaProbeOutput, JobFailure> => {
  const quoted = JSON.stringify(file.relativePath)
  // Cover pictures are not video. A still-image track (MKV stores covers so) only counts
  // when the file has no other video.
  const videoStreams = report.streams
    .filter((stream) => stream.codec_type === "video" && stream.disposition?.attached_pic !== 1)
    .sort(
      (a, b) =>
        Number(stillImageCodecs.has(a.codec_name ?? "")) -
        Number(stillImageCodecs.has(b.codec_name ?? ""))
    )
  const audioStreams = report.streams.filter((stream) => stream.codec_type === "audio")
  const video = videoStreams.map(toVideoStream).find((stream) => stream !== null) ?? null
  const audio = audioStreams[0] !== undefined ? toAudioStream(audioStreams[0]) : null
  const duration = report.format?.duration
  if (video === null && audio === null) {
    return new JobFailure({
      kind: "media",
      code: "no_media_streams",
      message: `The file ${quoted} contains no video or audio stream`
    })
  }
  if (duration === undefined || !Number.isFinite(duration) || duration < 0.1) {
    return new JobFailure({
      kind: "media",
      code: "no_duration",
      message: `The file ${quoted} has no playable duration; it looks like a still image or an empty recording`
    })
  }
  return Effect.succeed({
    formatName: report.format?.format_name ?? "unknown",
    durationSeconds: duration,
    sizeBytes: file.sizeBytes,
    modifiedAt: file.modifiedAt.toISOString(),
    bitRate: report.format?.bit_rate !== undefined ? Math.round(report.format.bit_rate) : null,
    video,
    audio,
    audioStreamCount: audioStreams.length
  })
}

const mp4BoxTypes: ReadonlySet<string> = new Set(["ftyp", "mdat", "moov", "free", "skip", "wide"])

/**
 * Whether a file starts like an MP4 or QuickTime file. ffprobe reports a missing index both for
 * a cut-off MP4 and for any other file with an `.mp4` name; only the first is truncated media.
 */
const startsWithMp4Box = (absolutePath: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const file = yield* fs.open(absolutePath, { flag: "r" })
    const head = yield* file.readAlloc(8)
    return Option.match(head, {
      onNone: () => false,
      onSome: (bytes) =>
        bytes.length === 8 && mp4BoxTypes.has(Buffer.from(bytes.subarray(4, 8)).toString("latin1"))
    })
  }).pipe(
    Effect.scoped,
    Effect.orElseSucceed(() => false)
  )

/** Runs ffprobe on a resolved file and returns its decoded report. */
export const report = (file: ResolvedFile) =>
  Effect.gen(function* () {
    const settings = yield* WorkerConfig
    const lines: Array<string> = []
    const outcome = yield* ProcessRunner.run(
      Command.make(
        settings.ffprobePath,
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        `file:${file.absolutePath}`
      ),
      { onStdoutLine: (line) => Effect.sync(() => lines.push(line)) }
    ).pipe(
      Effect.mapError(
        (cause) =>
          new JobFailure({
            kind: "temporary",
            code: "ffprobe_unavailable",
            message: `Could not run ${settings.ffprobePath}: ${cause.message}`,
            cause
          })
      )
    )
    const quoted = JSON.stringify(file.relativePath)
    if (outcome.exitCode !== 0) {
      const reason =
        outcome.stderrTail.at(-1)?.split(file.absolutePath).join(file.relativePath) ?? "no details"
      const truncated =
        outcome.stderrTail.some((line) => line.includes("moov atom not found")) &&
        (yield* startsWithMp4Box(file.absolutePath))
      return yield* new JobFailure({
        kind: "media",
        code: truncated ? "source_truncated" : "not_media",
        message: truncated
          ? `The file ${quoted} is incomplete: its index (moov atom) is missing, which happens when a copy or recording was cut off; copy the complete file again`
          : `The file ${quoted} is not a media file ffprobe can read (${reason})`
      })
    }
    return yield* Schema.decode(FfprobeReportFromJson)(lines.join("\n")).pipe(
      Effect.mapError(
        (cause) =>
          new JobFailure({
            kind: "internal",
            code: "ffprobe_output_invalid",
            message: `ffprobe printed a report for ${quoted} that could not be decoded: ${cause.message}`,
            cause
          })
      )
    )
  })

/** Probes a resolved file: rejects an empty file, runs ffprobe and interprets its report. */
export const probe = (file: ResolvedFile) =>
  file.sizeBytes === 0
    ? Effect.fail(
        new JobFailure({
          kind: "media",
          code: "source_file_empty",
          message: `The file ${JSON.stringify(file.relativePath)} is empty (0 bytes); copy the recording again`
        })
      )
    : Effect.flatMap(report(file), (decoded) => interpret(decoded, file))
