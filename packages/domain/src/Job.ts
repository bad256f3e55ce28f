/**
 * Jobs: units of background work stored in the queue table and run by the orchestrator.
 */
import * as Schema from "effect/Schema"
import { JobErrorCodeSchema } from "./JobErrorCodes.js"
import { JobId, SourceFileId } from "./Ids.js"
import { IntFromQuery, PageQuery, StrictStruct } from "./Text.js"

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
  /** One of `jobErrorCodes`; stored values are read as plain strings so old rows stay readable. */
  code: JobErrorCodeSchema,
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
  /** Last lines the worker wrote to stderr in its latest attempt. */
  logTail: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
  sourceFileId: Schema.NullOr(SourceFileId),
  runAfter: Schema.Date,
  createdAt: Schema.Date,
  updatedAt: Schema.Date,
  startedAt: Schema.NullOr(Schema.Date),
  finishedAt: Schema.NullOr(Schema.Date)
}) {}

export const JobListQuery = Schema.Struct({
  status: Schema.optional(JobStatus),
  type: Schema.optional(
    Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/))
  ).annotations({ description: "Job type such as `media.transcode`" }),
  sourceFileId: Schema.optional(IntFromQuery(1, Number.MAX_SAFE_INTEGER)),
  ...PageQuery
})

export class JobPage extends Schema.Class<JobPage>("JobPage")({
  items: Schema.Array(Job),
  total: Schema.Int,
  limit: Schema.Int,
  offset: Schema.Int
}) {}

export const EnqueueJob = StrictStruct({
  type: Schema.String.pipe(Schema.maxLength(100)),
  input: Schema.Unknown,
  priority: Schema.optionalWith(Schema.Int.pipe(Schema.between(-1000, 1000)), {
    default: () => 0
  })
}).annotations({
  identifier: "EnqueueJob",
  examples: [{ type: "media.probe", input: { sourcePath: "lectures/ana1-01.mp4" }, priority: 0 }]
})

export const UpdateJob = StrictStruct({
  priority: Schema.Int.pipe(
    Schema.between(-1000, 1000, { message: () => "Expected a priority from -1000 to 1000" })
  )
}).annotations({ identifier: "UpdateJob", examples: [{ priority: 10 }] })
