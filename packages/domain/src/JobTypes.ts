/**
 * The catalogue of job types: for each type the schema of its input and of its output, and the
 * limits the orchestrator applies. The API validates an input before it enqueues a job, and the
 * worker validates it again before it touches a file.
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  MediaDeleteFilesInput,
  MediaDeleteFilesOutput,
  MediaListPublishedInput,
  MediaListPublishedOutput,
  MediaScanIncomingInput,
  MediaScanIncomingOutput
} from "./MaintenanceJobSchemas.js"
import { RelativeMediaPath } from "./MediaPath.js"
import { MediaProfile } from "./Medium.js"

export { RelativeMediaPath } from "./MediaPath.js"

export const MediaProbeInput = Schema.Struct({
  sourcePath: RelativeMediaPath
})
export type MediaProbeInput = typeof MediaProbeInput.Type

export const ProbedVideoStream = Schema.Struct({
  codec: Schema.String,
  width: Schema.Int,
  height: Schema.Int,
  /** Width and height after the rotation and sample aspect ratio are applied. */
  displayWidth: Schema.Int,
  displayHeight: Schema.Int,
  rotationDegrees: Schema.Int,
  pixelFormat: Schema.NullOr(Schema.String),
  framesPerSecond: Schema.NullOr(Schema.Number),
  /** Transfer characteristic as ffprobe names it, e.g. `smpte2084` (HDR10) or `arib-std-b67` (HLG). */
  colorTransfer: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  /** `progressive`, or the field order of interlaced video (`tt`, `bb`, `tb`, `bt`). */
  fieldOrder: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  /** Index of the stream in the file, as ffmpeg's `-map 0:<index>` names it. */
  streamIndex: Schema.optionalWith(Schema.NullOr(Schema.Int), { default: () => null })
})
export type ProbedVideoStream = typeof ProbedVideoStream.Type

export const ProbedAudioStream = Schema.Struct({
  codec: Schema.String,
  channels: Schema.Int,
  sampleRate: Schema.NullOr(Schema.Int)
})
export type ProbedAudioStream = typeof ProbedAudioStream.Type

export const MediaProbeOutput = Schema.Struct({
  formatName: Schema.String,
  durationSeconds: Schema.Number,
  sizeBytes: Schema.Int,
  modifiedAt: Schema.String,
  bitRate: Schema.NullOr(Schema.Int),
  /** The first video stream that is not an attached picture (cover art), if any. */
  video: Schema.NullOr(ProbedVideoStream),
  /** The first audio stream, if any. */
  audio: Schema.NullOr(ProbedAudioStream),
  audioStreamCount: Schema.Int
})
export type MediaProbeOutput = typeof MediaProbeOutput.Type

export const Rendition = Schema.Struct({
  profile: Schema.String,
  height: Schema.Int.pipe(Schema.between(144, 4320))
})
export type Rendition = typeof Rendition.Type

/** Start of every output file name, e.g. `analysis-2026-10-14`. */
export const FileNamePrefix = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/)
)

export const MediaTranscodeInput = Schema.Struct({
  sourcePath: RelativeMediaPath,
  /** Folder below the media root that receives the finished files. */
  outputDirectory: RelativeMediaPath,
  fileNamePrefix: FileNamePrefix,
  /**
   * Video renditions. `height` is the length of the picture's shorter side, so a portrait video's
   * `720p` is 720 pixels wide. A rendition larger than the source is skipped.
   */
  renditions: Schema.Array(Rendition),
  /** Profile name of the audio-only file, or null for none. */
  audioProfile: Schema.NullOr(Schema.String),
  /**
   * Profile name of the HLS stream, or null for none. The stream is written to the folder `hls`
   * of the output folder: fMP4 segments per rendition and a master playlist `master.m3u8`.
   */
  hlsProfile: Schema.optionalWith(Schema.NullOr(MediaProfile), { default: () => null })
})
export type MediaTranscodeInput = typeof MediaTranscodeInput.Type

export const TranscodedFile = Schema.Struct({
  profile: Schema.String,
  path: RelativeMediaPath,
  mimeType: Schema.String,
  sizeBytes: Schema.Int,
  durationSeconds: Schema.Number,
  width: Schema.NullOr(Schema.Int),
  height: Schema.NullOr(Schema.Int),
  bitRate: Schema.NullOr(Schema.Int)
})
export type TranscodedFile = typeof TranscodedFile.Type

export const MediaTranscodeOutput = Schema.Struct({
  files: Schema.Array(TranscodedFile)
})
export type MediaTranscodeOutput = typeof MediaTranscodeOutput.Type

export const MediaMove = Schema.Struct({
  /** Current path of a file or folder below `published/`. */
  from: RelativeMediaPath,
  /** New path below `published/`; missing parent folders are created. */
  to: RelativeMediaPath
})
export type MediaMove = typeof MediaMove.Type

export const MediaRelocateInput = Schema.Struct({
  moves: Schema.Array(MediaMove).pipe(Schema.minItems(1), Schema.maxItems(10_000))
})
export type MediaRelocateInput = typeof MediaRelocateInput.Type

export const MediaRelocateOutput = Schema.Struct({
  /** Moves done now or found already done (source gone, target present). */
  moved: Schema.Array(MediaMove),
  /** Moves whose source and target both do not exist. */
  missing: Schema.Array(MediaMove)
})
export type MediaRelocateOutput = typeof MediaRelocateOutput.Type

export const MediaThumbnailsInput = Schema.Struct({
  /** Video the poster is taken from, normally the largest rendition. */
  posterSourcePath: RelativeMediaPath,
  /** Video the storyboard is taken from, normally the smallest rendition, which decodes fastest. */
  storyboardSourcePath: RelativeMediaPath,
  outputDirectory: RelativeMediaPath,
  fileNamePrefix: FileNamePrefix,
  /** Second the poster shows; a video shorter than twice this gets the frame from its middle. */
  posterOffsetSeconds: Schema.Number.pipe(Schema.between(0, 3600)),
  posterMaxWidth: Schema.Int.pipe(Schema.between(64, 3840)),
  tileWidth: Schema.Int.pipe(Schema.between(32, 640)),
  columns: Schema.Int.pipe(Schema.between(1, 50)),
  /** Time between two storyboard tiles; short videos get denser tiles, long ones sparser. */
  intervalSeconds: Schema.Number.pipe(Schema.between(0.5, 3600)),
  maxTiles: Schema.Int.pipe(Schema.between(1, 5000))
})
export type MediaThumbnailsInput = typeof MediaThumbnailsInput.Type

export const ThumbnailImage = Schema.Struct({
  path: RelativeMediaPath,
  mimeType: Schema.String,
  sizeBytes: Schema.Int,
  width: Schema.Int,
  height: Schema.Int
})
export type ThumbnailImage = typeof ThumbnailImage.Type

export const Storyboard = Schema.Struct({
  /** The sprite: every tile in one JPEG image, row by row. */
  sprite: ThumbnailImage,
  /** WebVTT track whose cues name the sprite with a `#xywh=` fragment for each time range. */
  trackPath: RelativeMediaPath,
  tileWidth: Schema.Int,
  tileHeight: Schema.Int,
  tileCount: Schema.Int,
  columns: Schema.Int,
  intervalSeconds: Schema.Number
})
export type Storyboard = typeof Storyboard.Type

export const MediaThumbnailsOutput = Schema.Struct({
  poster: ThumbnailImage,
  storyboard: Storyboard
})
export type MediaThumbnailsOutput = typeof MediaThumbnailsOutput.Type

/** CPU and memory of one worker container, in Kubernetes quantities (`500m`, `2Gi`). */
export interface ResourceQuantities {
  readonly cpu?: string
  readonly memory?: string
}

/** Resource requests and limits of a job type's worker container. */
export interface JobResources {
  readonly requests: ResourceQuantities
  readonly limits: ResourceQuantities
}

/** A job type with the schemas of its input and output and its default limits. */
export interface JobType<
  Name extends string,
  Input extends Schema.Schema.AnyNoContext,
  Output extends Schema.Schema.AnyNoContext
> {
  readonly name: Name
  readonly input: Input
  readonly output: Output
  readonly maxAttempts: number
  /** Longest an attempt may run (`activeDeadlineSeconds` of its Kubernetes Job). */
  readonly timeout: Duration.Duration
  /** An attempt that reports no progress for this long is stopped and failed. */
  readonly stallTimeout?: Duration.Duration
  /** Most attempts of this type running at once, below the orchestrator's global limit. */
  readonly concurrency?: number
  /** Requests and limits of the worker container; configuration can override them. */
  readonly resources?: JobResources
}

/** Stall timeout of types that do not set one. */
export const defaultStallTimeout = Duration.minutes(15)

/** Resources of types that do not set any. */
export const defaultJobResources: JobResources = {
  requests: { cpu: "250m", memory: "256Mi" },
  limits: { memory: "1Gi" }
}

const jobType = <
  Name extends string,
  Input extends Schema.Schema.AnyNoContext,
  Output extends Schema.Schema.AnyNoContext
>(
  definition: JobType<Name, Input, Output>
): JobType<Name, Input, Output> => definition

export const MediaProbe = jobType({
  name: "media.probe",
  input: MediaProbeInput,
  output: MediaProbeOutput,
  maxAttempts: 3,
  timeout: Duration.minutes(10),
  stallTimeout: Duration.minutes(5),
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } }
})

export const MediaTranscode = jobType({
  name: "media.transcode",
  input: MediaTranscodeInput,
  output: MediaTranscodeOutput,
  maxAttempts: 3,
  timeout: Duration.hours(6),
  stallTimeout: Duration.minutes(15),
  concurrency: 4,
  resources: { requests: { cpu: "2", memory: "1Gi" }, limits: { memory: "4Gi" } }
})

/**
 * Moves published files between the public and the protected folder when a lecture's access
 * rule or visibility changes, so the file provider serves each file the way its rule demands.
 */
export const MediaRelocate = jobType({
  name: "media.relocate",
  input: MediaRelocateInput,
  output: MediaRelocateOutput,
  maxAttempts: 5,
  timeout: Duration.minutes(10)
})

export const MediaThumbnails = jobType({
  name: "media.thumbnails",
  input: MediaThumbnailsInput,
  output: MediaThumbnailsOutput,
  maxAttempts: 3,
  timeout: Duration.hours(1)
})

/** The sorter's periodic scan of an incoming folder. */
export const MediaScanIncoming = jobType({
  name: "media.scan_incoming",
  input: MediaScanIncomingInput,
  output: MediaScanIncomingOutput,
  maxAttempts: 2,
  timeout: Duration.minutes(10)
})

/** Housekeeping: lists published files, so the orchestrator can compare them with its records. */
export const MediaListPublished = jobType({
  name: "media.list_published",
  input: MediaListPublishedInput,
  output: MediaListPublishedOutput,
  maxAttempts: 2,
  timeout: Duration.hours(1)
})

/** Housekeeping: deletes the published files of removed media. */
export const MediaDeleteFiles = jobType({
  name: "media.delete_files",
  input: MediaDeleteFilesInput,
  output: MediaDeleteFilesOutput,
  maxAttempts: 3,
  timeout: Duration.hours(1)
})

export const jobTypes = [
  MediaProbe,
  MediaTranscode,
  MediaThumbnails,
  MediaScanIncoming,
  MediaListPublished,
  MediaDeleteFiles,
  MediaRelocate
] as const

export type AnyJobType = (typeof jobTypes)[number]

export const JobTypeName = Schema.Literal(...jobTypes.map((type) => type.name))
export type JobTypeName = typeof JobTypeName.Type

export const findJobType = (name: string): Option.Option<AnyJobType> =>
  Option.fromNullable(jobTypes.find((type) => type.name === name))
