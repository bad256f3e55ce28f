/**
 * The job queue table. The server enqueues; the orchestrator claims, tracks and finishes jobs.
 * Every write after the claim is fenced on the job's status and attempt, so a late or repeated
 * update never overwrites a newer state.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { JobId, SourceFileId, UserId } from "../Ids.js"
import { Job, JobError, JobProgress, JobStatus } from "../Job.js"
import type { AnyJobType } from "../JobTypes.js"

/** Channel the server notifies on enqueue; the orchestrator listens to wake its claim loop. */
export const jobsChannel = "videoag_jobs"

const nullableDate = Schema.NullOr(Schema.DateFromSelf)

export const JobRecord = Schema.Struct({
  id: JobId,
  type: Schema.String,
  input: Schema.Unknown,
  status: JobStatus,
  priority: Schema.Int,
  attempt: Schema.Int,
  maxAttempts: Schema.Int,
  runAfter: Schema.DateFromSelf,
  dedupKey: Schema.NullOr(Schema.String),
  progress: Schema.NullOr(JobProgress),
  output: Schema.NullOr(Schema.Unknown),
  error: Schema.NullOr(JobError),
  logTail: Schema.NullOr(Schema.String),
  executor: Schema.NullOr(Schema.String),
  executorRef: Schema.NullOr(Schema.String),
  sourceFileId: Schema.NullOr(SourceFileId),
  createdBy: Schema.NullOr(UserId),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf,
  startedAt: nullableDate,
  heartbeatAt: nullableDate,
  finishedAt: nullableDate
})
export type JobRecord = typeof JobRecord.Type

const decodeRecords = Schema.decodeUnknown(Schema.Array(JobRecord))

/** The API view of a stored job. */
export const toJob = (record: JobRecord): Job =>
  new Job({
    id: record.id,
    type: record.type,
    status: record.status,
    priority: record.priority,
    attempt: record.attempt,
    maxAttempts: record.maxAttempts,
    input: record.input,
    progress: record.progress,
    output: record.output,
    error: record.error,
    logTail: record.logTail,
    sourceFileId: record.sourceFileId,
    runAfter: record.runAfter,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt
  })

export interface EnqueueOptions<Type extends AnyJobType> {
  readonly type: Type
  readonly input: Schema.Schema.Type<Type["input"]>
  readonly priority?: number
  readonly maxAttempts?: number
  readonly sourceFileId?: SourceFileId | null
  readonly createdBy?: UserId | null
  readonly dedupKey?: string | null
}

export class JobRepository extends Effect.Service<JobRepository>()(
  "@videoag/domain/JobRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* PgClient.PgClient

      const decodeAll = (rows: ReadonlyArray<unknown>) => Effect.orDie(decodeRecords(rows))

      const decodeOne = (rows: ReadonlyArray<unknown>) =>
        Effect.map(decodeAll(rows), (records) => Option.fromNullable(records[0]))

      /**
       * Inserts a job and notifies the orchestrator when the surrounding transaction commits.
       * The input is encoded with the job type's schema, so a bad input never reaches the queue.
       * A `dedupKey` that is already taken returns the existing job instead.
       */
      const enqueue = <Type extends AnyJobType>(options: EnqueueOptions<Type>) =>
        Effect.gen(function* () {
          const inputSchema: Schema.Schema.AnyNoContext = options.type.input
          const encodedInput = yield* Schema.encodeUnknown(inputSchema)(options.input).pipe(
            Effect.orDie
          )
          const rows = yield* sql`
          INSERT INTO jobs (type, input, priority, max_attempts, source_file_id, created_by, dedup_key)
          VALUES (
            ${options.type.name},
            ${sql.json(encodedInput)},
            ${options.priority ?? 0},
            ${options.maxAttempts ?? options.type.maxAttempts},
            ${options.sourceFileId ?? null},
            ${options.createdBy ?? null},
            ${options.dedupKey ?? null}
          )
          ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
          RETURNING *
        `
          yield* sql`SELECT pg_notify(${jobsChannel}, ${options.type.name})`
          const inserted = yield* decodeOne(rows)
          if (Option.isSome(inserted)) {
            return inserted.value
          }
          const existing =
            yield* sql`SELECT * FROM jobs WHERE dedup_key = ${options.dedupKey ?? null}`
          return Option.getOrThrow(yield* decodeOne(existing))
        }).pipe(sql.withTransaction, Effect.withSpan("JobRepository.enqueue"))

      const findById = (id: JobId) =>
        Effect.flatMap(sql`SELECT * FROM jobs WHERE id = ${id}`, decodeOne).pipe(
          Effect.withSpan("JobRepository.findById")
        )

      /**
       * Claims up to `limit` due queued jobs, highest priority first, and marks them dispatched to
       * `executor`. `SKIP LOCKED` lets several claimers run at once without taking the same row.
       */
      const claim = (limit: number, executor: string) =>
        Effect.flatMap(
          sql`
          UPDATE jobs
          SET status = 'dispatched', attempt = attempt + 1, executor = ${executor},
              executor_ref = NULL, progress = NULL, error = NULL, heartbeat_at = now(),
              updated_at = now()
          WHERE id IN (
            SELECT id FROM jobs
            WHERE status = 'queued' AND run_after <= now()
            ORDER BY priority DESC, run_after, id
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED
          )
          RETURNING *
        `,
          decodeAll
        ).pipe(
          // RETURNING gives no order; keep the claim order for the caller.
          Effect.map((records) =>
            [...records].sort(
              (a, b) =>
                b.priority - a.priority ||
                a.runAfter.getTime() - b.runAfter.getTime() ||
                a.id - b.id
            )
          ),
          Effect.withSpan("JobRepository.claim")
        )

      const fenced = (id: JobId, attempt: number) =>
        sql`id = ${id} AND attempt = ${attempt} AND status IN ('dispatched', 'running')`

      /** Marks a dispatched attempt as running; returns false when the row moved on. */
      const markRunning = (id: JobId, attempt: number, executorRef: string | null) =>
        Effect.map(
          sql`
          UPDATE jobs
          SET status = 'running', executor_ref = ${executorRef},
              started_at = coalesce(started_at, now()), heartbeat_at = now(), updated_at = now()
          WHERE ${fenced(id, attempt)}
          RETURNING id
        `,
          (rows) => rows.length > 0
        ).pipe(Effect.withSpan("JobRepository.markRunning"))

      const recordProgress = (id: JobId, attempt: number, progress: JobProgress) =>
        Effect.map(
          sql`
          UPDATE jobs SET progress = ${sql.json(progress)}, heartbeat_at = now(), updated_at = now()
          WHERE ${fenced(id, attempt)}
          RETURNING id
        `,
          (rows) => rows.length > 0
        ).pipe(Effect.withSpan("JobRepository.recordProgress"))

      /** Stores the output of a succeeded attempt; returns the row, or none when it moved on. */
      const succeed = (id: JobId, attempt: number, output: unknown, logTail: string | null) =>
        Effect.flatMap(
          sql`
          UPDATE jobs
          SET status = 'succeeded', output = ${sql.json(output)}, error = NULL, log_tail = ${logTail},
              finished_at = now(), updated_at = now(),
              progress = jsonb_build_object(
                'percent', 100, 'etaSeconds', 0, 'message', NULL, 'updatedAt', to_json(now())
              )
          WHERE ${fenced(id, attempt)}
          RETURNING *
        `,
          decodeOne
        ).pipe(Effect.withSpan("JobRepository.succeed"))

      /**
       * Records a failed attempt. With `retryAt` and attempts left the job goes back to `queued`
       * to run at that time; otherwise it fails for good.
       */
      const fail = (
        id: JobId,
        attempt: number,
        error: JobError,
        logTail: string | null,
        retryAt: Option.Option<Date>
      ) =>
        Effect.flatMap(
          sql`
          UPDATE jobs
          SET status = CASE WHEN ${Option.isSome(retryAt)} AND attempt < max_attempts
                            THEN 'queued' ELSE 'failed' END,
              run_after = coalesce(${Option.getOrNull(retryAt)}, run_after),
              finished_at = CASE WHEN ${Option.isSome(retryAt)} AND attempt < max_attempts
                                 THEN NULL ELSE now() END,
              error = ${sql.json(error)}, log_tail = ${logTail}, updated_at = now()
          WHERE ${fenced(id, attempt)}
          RETURNING *
        `,
          decodeOne
        ).pipe(Effect.withSpan("JobRepository.fail"))

      /**
       * Puts an attempt that the orchestrator itself interrupted (shutdown, restart) back in the
       * queue without counting it, because the job did nothing wrong.
       */
      const requeueInterrupted = (id: JobId, attempt: number) =>
        Effect.map(
          sql`
          UPDATE jobs
          SET status = 'queued', attempt = attempt - 1, run_after = now(), executor_ref = NULL,
              updated_at = now()
          WHERE ${fenced(id, attempt)}
          RETURNING id
        `,
          (rows) => rows.length > 0
        ).pipe(Effect.withSpan("JobRepository.requeueInterrupted"))

      /** Jobs an executor has accepted and not finished. */
      const listActive = (executor: string) =>
        Effect.flatMap(
          sql`SELECT * FROM jobs WHERE status IN ('dispatched', 'running') AND executor = ${executor} ORDER BY id`,
          decodeAll
        ).pipe(Effect.withSpan("JobRepository.listActive"))

      return {
        enqueue,
        findById,
        claim,
        markRunning,
        recordProgress,
        succeed,
        fail,
        requeueInterrupted,
        listActive
      } as const
    })
  }
) {}
