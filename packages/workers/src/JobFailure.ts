/**
 * The typed failure of a job attempt. Its kind decides the worker's exit code and so whether
 * the orchestrator retries the attempt.
 */
import * as Data from "effect/Data"
import { WorkerExitCode, type JobErrorCode } from "@videoag/domain"

/**
 * `input`: the job input is invalid; `media`: the source is not usable media; `temporary`:
 * a retry can help; `internal`: an unexpected error, retried in case it was transient.
 */
export type JobFailureKind = "input" | "media" | "temporary" | "internal"

export class JobFailure extends Data.TaggedError("JobFailure")<{
  readonly kind: JobFailureKind
  readonly code: JobErrorCode
  readonly message: string
  readonly cause?: unknown
}> {}

export const exitCodeOf = (kind: JobFailureKind): number => {
  switch (kind) {
    case "input":
      return WorkerExitCode.inputRejected
    case "media":
      return WorkerExitCode.mediaRejected
    case "temporary":
      return WorkerExitCode.temporaryFailure
    case "internal":
      return 1
  }
}

export const isRetryable = (kind: JobFailureKind): boolean =>
  kind === "temporary" || kind === "internal"
