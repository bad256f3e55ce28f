/**
 * The catalogue of job types: for each type the schema of its input and of its output, and the
 * limits the orchestrator applies. The API validates an input before it enqueues a job, and the
 * worker validates it again before it touches a file.
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** A path relative to the media root, as stored in the database and passed to workers. */
export const RelativeMediaPath = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(1024))

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
  framesPerSecond: Schema.NullOr(Schema.Number)
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

export const MediaTranscodeInput = Schema.Struct({
  sourcePath: RelativeMediaPath,
  /** Folder below the media root that receives the finished files. */
  outputDirectory: RelativeMediaPath,
  /** Start of every output file name, e.g. `analysis-2026-10-14`. */
  fileNamePrefix: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/)),
  renditions: Schema.Array(Rendition),
  /** Profile name of the audio-only file, or null for none. */
  audioProfile: Schema.NullOr(Schema.String)
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

export const jobTypes = [MediaProbe, MediaTranscode, MediaRelocate] as const

export type AnyJobType = (typeof jobTypes)[number]

export const JobTypeName = Schema.Literal(...jobTypes.map((type) => type.name))
export type JobTypeName = typeof JobTypeName.Type

export const findJobType = (name: string): Option.Option<AnyJobType> =>
  Option.fromNullable(jobTypes.find((type) => type.name === name))
