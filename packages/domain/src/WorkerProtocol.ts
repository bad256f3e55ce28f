/**
 * The protocol between an executor and the worker CLI, the same for local child processes and
 * Kubernetes pods. The executor starts `worker run <job type>` with the job's input in the
 * environment. The worker writes progress as one JSON object per stdout line, then its result
 * or error both as the last stdout line and into the termination-message file, and exits with
 * one of `WorkerExitCode`. Logs go to stderr.
 */
import * as Schema from "effect/Schema"

/** Environment variables the executor sets for the worker. */
export const WorkerEnvironment = {
  jobId: "VIDEOAG_JOB_ID",
  attempt: "VIDEOAG_JOB_ATTEMPT",
  input: "VIDEOAG_JOB_INPUT",
  mediaRoot: "VIDEOAG_MEDIA_ROOT",
  terminationMessagePath: "VIDEOAG_TERMINATION_MESSAGE_PATH"
} as const

/** Kubernetes keeps at most this many bytes of a container's termination message. */
export const terminationMessageMaxBytes = 4096

/** Exit codes; the orchestrator retries an attempt only where a retry can help. */
export const WorkerExitCode = {
  succeeded: 0,
  /** The job input or job type was invalid: the same input fails again. */
  inputRejected: 2,
  /** The source file is not usable media: the same file fails again. */
  mediaRejected: 3,
  /** A temporary failure (disk full, file provider busy): a retry can help. */
  temporaryFailure: 75
} as const

export const WorkerProgress = Schema.Struct({
  event: Schema.Literal("progress"),
  percent: Schema.Number.pipe(Schema.between(0, 100)),
  etaSeconds: Schema.NullOr(Schema.Number),
  message: Schema.optional(Schema.String)
})
export type WorkerProgress = typeof WorkerProgress.Type

export const WorkerResult = Schema.Struct({
  event: Schema.Literal("result"),
  output: Schema.Unknown
})

/** Replaces `WorkerResult` when the output is too large for a termination message. */
export const WorkerResultFile = Schema.Struct({
  event: Schema.Literal("result-file"),
  /** Path of the JSON output file, relative to the media root. */
  path: Schema.String
})

export const WorkerErrorDetails = Schema.Struct({
  code: Schema.String,
  message: Schema.String,
  retryable: Schema.Boolean
})
export type WorkerErrorDetails = typeof WorkerErrorDetails.Type

export const WorkerFailure = Schema.Struct({
  event: Schema.Literal("error"),
  error: WorkerErrorDetails
})

export const WorkerMessage = Schema.Union(
  WorkerProgress,
  WorkerResult,
  WorkerResultFile,
  WorkerFailure
)
export type WorkerMessage = typeof WorkerMessage.Type

export const WorkerMessageFromJson = Schema.parseJson(WorkerMessage)
