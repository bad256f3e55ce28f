/**
 * Jobs: units of background work stored in the queue table and run by the orchestrator.
 */
import * as Schema from "effect/Schema"
import { JobId, SourceFileId } from "./Ids.js"

/**
 * `waiting` (parents not finished) → `queued` → `dispatched` (an executor accepted it) →
 * `running` → `succeeded`, `failed` or `cancelled`. A failed attempt with attempts left goes
 * back to `queued` with a backoff.
 */
export const JobStatus = Schema.Literal(
  "waiting",
  "queued",
  "dispatched",
  "running",
  "succeeded",
  "failed",
  "cancelled"
)
export type JobStatus = typeof JobStatus.Type

export const JobProgress = Schema.Struct({
  percent: Schema.Number,
  etaSeconds: Schema.NullOr(Schema.Number),
  message: Schema.NullOr(Schema.String),
  updatedAt: Schema.String
})
export type JobProgress = typeof JobProgress.Type

export const JobError = Schema.Struct({
  code: Schema.String,
  message: Schema.String,
  retryable: Schema.Boolean,
  /** Last lines the worker wrote to stderr. */
  logTail: Schema.optional(Schema.String)
})
export type JobError = typeof JobError.Type

export class Job extends Schema.Class<Job>("Job")({
  id: JobId,
  type: Schema.String,
  status: JobStatus,
  priority: Schema.Int,
  attempt: Schema.Int,
  maxAttempts: Schema.Int,
  input: Schema.Unknown,
  progress: Schema.NullOr(JobProgress),
  output: Schema.NullOr(Schema.Unknown),
  error: Schema.NullOr(JobError),
  sourceFileId: Schema.NullOr(SourceFileId),
  runAfter: Schema.Date,
  createdAt: Schema.Date,
  updatedAt: Schema.Date,
  startedAt: Schema.NullOr(Schema.Date),
  finishedAt: Schema.NullOr(Schema.Date)
}) {}
