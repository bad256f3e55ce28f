/**
 * The job queue table. The server enqueues; the orchestrator claims, tracks and finishes jobs.
 * Every write after the claim is fenced on the job's status and attempt, so a late or repeated
 * update never overwrites a newer state.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { JobId, JobScheduleId, SourceFileId, UserId } from "../Ids.js"
import { Job, JobError, JobProgress, JobStatus } from "../Job.js"
import { findJobType, type AnyJobType } from "../JobTypes.js"

/** Channel the server notifies on enqueue; the orchestrator listens to wake its claim loop. */
export const jobsChannel = "videoag_jobs"

/** Channel notified with a job id when a moderator cancels a job the orchestrator may be running. */
export const jobCancelsChannel = "videoag_job_cancels"

/** A field of a child job's input taken from a parent's output once all parents succeeded. */
export const ParentOutputReference = Schema.Struct({
  jobId: JobId,
  /** JSON pointer (RFC 6901) into the parent's output; empty for the whole output. */
  pointer: Schema.optionalWith(Schema.String, { default: () => "" })
})
export type ParentOutputReference = typeof ParentOutputReference.Type

export const InputFromParents = Schema.Record({ key: Schema.String, value: ParentOutputReference })
export type InputFromParents = typeof InputFromParents.Type

/** A dependency that cannot be set up: an unknown parent, or one that already failed. */
export class JobDependencyError extends Data.TaggedError("JobDependencyError")<{
  readonly message: string
  readonly jobIds: ReadonlyArray<JobId>
}> {}

/** Looks up a JSON pointer (RFC 6901) in a JSON value. */
export const resolveJsonPointer = (value: unknown, pointer: string): Option.Option<unknown> => {
  if (pointer === "") return Option.some(value)
  if (!pointer.startsWith("/")) return Option.none()
  let current: unknown = value
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~")
    if (Array.isArray(current) && /^(0|[1-9][0-9]*)$/.test(token)) {
      current = current[Number(token)]
    } else if (typeof current === "object" && current !== null && !Array.isArray(current)) {
      current = Object.hasOwn(current, token)
        ? (current as Record<string, unknown>)[token]
        : undefined
    } else {
      return Option.none()
    }
    if (current === undefined) return Option.none()
  }
  return Option.some(current)
}

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
  inputFromParents: Schema.optionalWith(Schema.NullOr(InputFromParents), { default: () => null }),
  scheduleId: Schema.optionalWith(Schema.NullOr(JobScheduleId), { default: () => null }),
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

/** A job whose input is already encoded (JSON), for callers that hold a type only by name. */
export interface EnqueueEncodedOptions {
  readonly typeName: string
  readonly encodedInput: unknown
  readonly priority?: number
  readonly maxAttempts?: number | null
  readonly dedupKey?: string | null
  readonly scheduleId?: JobScheduleId | null
  readonly createdBy?: UserId | null
}

export interface EnqueueWithDependenciesOptions<Type extends AnyJobType> {
  readonly type: Type
  /**
   * The encoded input. Fields named in `inputFromParents` are filled in when the parents
   * succeed; the whole input is validated against the type's schema then.
   */
  readonly input: Readonly<Record<string, unknown>>
  readonly dependsOn: ReadonlyArray<JobId>
  readonly inputFromParents?: InputFromParents
  readonly priority?: number
  readonly maxAttempts?: number
  readonly sourceFileId?: SourceFileId | null
  readonly createdBy?: UserId | null
  readonly dedupKey?: string | null
}

/** Free slots of one claim: overall, and per job type for the types that have a limit. */
export interface ClaimOptions {
  readonly limit: number
  readonly executor: string
  /** Remaining slots per job type; types not listed are limited only by `limit`. */
  readonly typeSlots: ReadonlyMap<string, number>
}

/** Outcome of a moderator's request on one job: the job as it is now, and whether it changed. */
export interface JobChange {
  readonly job: JobRecord
  readonly changed: boolean
}

/** Jobs that changed because one of their parents finished. */
export interface DependantsChange {
  readonly released: ReadonlyArray<JobRecord>
  readonly failed: ReadonlyArray<JobRecord>
}

const describeParseError = (error: ParseResult.ParseError) =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "input"}: ${issue.message}`)
    .join("; ")

export class JobRepository extends Effect.Service<JobRepository>()(
  "@videoag/domain/JobRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* PgClient.PgClient

      const decodeAll = (rows: ReadonlyArray<unknown>) => Effect.orDie(decodeRecords(rows))

      const decodeOne = (rows: ReadonlyArray<unknown>) =>
        Effect.map(decodeAll(rows), (records) => Option.fromNullable(records[0]))

      const notifyQueued = (typeName: string) => sql`SELECT pg_notify(${jobsChannel}, ${typeName})`

      const insertEncoded = (options: EnqueueEncodedOptions & { readonly status?: JobStatus }) =>
        Effect.gen(function* () {
          const type = findJobType(options.typeName)
          const rows = yield* sql`
          INSERT INTO jobs (type, input, status, priority, max_attempts, dedup_key, schedule_id, created_by)
          VALUES (
            ${options.typeName},
            ${sql.json(options.encodedInput)},
            ${options.status ?? "queued"},
            ${options.priority ?? 0},
            ${options.maxAttempts ?? Option.match(type, { onNone: () => 3, onSome: (known) => known.maxAttempts })},
            ${options.dedupKey ?? null},
            ${options.scheduleId ?? null},
            ${options.createdBy ?? null}
          )
          ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
          RETURNING *
        `
          return yield* decodeOne(rows)
        })

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
          yield* notifyQueued(options.type.name)
          const inserted = yield* decodeOne(rows)
          if (Option.isSome(inserted)) {
            return inserted.value
          }
          const existing =
            yield* sql`SELECT * FROM jobs WHERE dedup_key = ${options.dedupKey ?? null}`
          return Option.getOrThrow(yield* decodeOne(existing))
        }).pipe(sql.withTransaction, Effect.withSpan("JobRepository.enqueue"))

      /**
       * Inserts a job whose input is already encoded. Returns none when `dedupKey` is taken, so
       * a schedule can tell an occurrence it enqueued before from a new one.
       */
      const enqueueEncoded = (options: EnqueueEncodedOptions) =>
        Effect.gen(function* () {
          const inserted = yield* insertEncoded(options)
          if (Option.isSome(inserted)) yield* notifyQueued(options.typeName)
          return inserted
        }).pipe(sql.withTransaction, Effect.withSpan("JobRepository.enqueueEncoded"))

      /** The job's input with the fields from its parents' outputs filled in, validated. */
      const resolveInput = (
        typeName: string,
        input: unknown,
        inputFromParents: InputFromParents | null,
        outputs: ReadonlyMap<number, unknown>
      ): Effect.Effect<unknown, JobError> =>
        Effect.gen(function* () {
          const type = findJobType(typeName)
          if (Option.isNone(type)) {
            return yield* Effect.fail<JobError>({
              code: "unknown_job_type",
              message: `Unknown job type ${JSON.stringify(typeName)}`,
              retryable: false
            })
          }
          const merged: Record<string, unknown> = {
            ...(typeof input === "object" && input !== null ? input : {})
          }
          for (const [field, reference] of Object.entries(inputFromParents ?? {})) {
            const value = Option.flatMap(
              Option.fromNullable(outputs.get(reference.jobId)),
              (output) => resolveJsonPointer(output, reference.pointer)
            )
            if (Option.isNone(value)) {
              return yield* Effect.fail<JobError>({
                code: "input_invalid",
                message: `The output of job ${reference.jobId} has no value at ${JSON.stringify(reference.pointer)} for the input field ${JSON.stringify(field)}`,
                retryable: false
              })
            }
            merged[field] = value.value
          }
          const schema: Schema.Schema.AnyNoContext = type.value.input
          return yield* Schema.decodeUnknown(schema, { onExcessProperty: "error" })(merged).pipe(
            Effect.flatMap(Schema.encodeUnknown(schema)),
            Effect.mapError((error): JobError => ({
              code: "input_invalid",
              message: `The input of ${typeName} is invalid: ${describeParseError(error)}`,
              retryable: false
            }))
          )
        })

      /**
       * Inserts a job that runs after all of `dependsOn` succeeded. It waits until then; when
       * they already did, it is queued at once. Parents that do not exist or already failed are
       * rejected, because the job could never run.
       */
      const enqueueWithDependencies = <Type extends AnyJobType>(
        options: EnqueueWithDependenciesOptions<Type>
      ) =>
        Effect.gen(function* () {
          const parentIds = [...new Set(options.dependsOn)]
          // FOR SHARE makes a parent that finishes right now wait for this insert, so its
          // release step sees the new dependant.
          const parents = yield* sql<{
            id: JobId
            type: string
            status: JobStatus
            output: unknown
          }>`SELECT id, type, status, output FROM jobs WHERE id IN ${sql.in(parentIds)} FOR SHARE`
          const found = new Set(parents.map((parent) => parent.id))
          const missing = parentIds.filter((id) => !found.has(id))
          if (parentIds.length === 0 || missing.length > 0) {
            return yield* new JobDependencyError({
              message:
                parentIds.length === 0
                  ? "A job with dependencies needs at least one parent job"
                  : `No job with the id ${missing.join(", ")}; a job can only depend on existing jobs`,
              jobIds: missing
            })
          }
          const dead = parents.filter(
            (parent) => parent.status === "failed" || parent.status === "cancelled"
          )
          if (dead.length > 0) {
            return yield* new JobDependencyError({
              message: `Job ${dead.map((parent) => `${parent.id} (${parent.type}, ${parent.status})`).join(", ")} will never succeed, so a job that depends on it could never run`,
              jobIds: dead.map((parent) => parent.id)
            })
          }
          const unknownReferences = Object.values(options.inputFromParents ?? {}).filter(
            (reference) => !found.has(reference.jobId)
          )
          if (unknownReferences.length > 0) {
            return yield* new JobDependencyError({
              message: `The input refers to the output of job ${unknownReferences.map((reference) => reference.jobId).join(", ")}, which is not among the parents`,
              jobIds: unknownReferences.map((reference) => reference.jobId)
            })
          }

          const ready = parents.every((parent) => parent.status === "succeeded")
          const outputs = new Map(parents.map((parent) => [parent.id as number, parent.output]))
          const inputFromParents = options.inputFromParents ?? null
          const resolved = ready
            ? yield* Effect.either(
                resolveInput(options.type.name, options.input, inputFromParents, outputs)
              )
            : null
          if (resolved !== null && resolved._tag === "Left") {
            return yield* new JobDependencyError({
              message: resolved.left.message,
              jobIds: parentIds
            })
          }
          const rows = yield* sql`
          INSERT INTO jobs (type, input, status, priority, max_attempts, source_file_id, created_by,
                            dedup_key, input_from_parents)
          VALUES (
            ${options.type.name},
            ${sql.json(resolved === null ? options.input : resolved.right)},
            ${ready ? "queued" : "waiting"},
            ${options.priority ?? 0},
            ${options.maxAttempts ?? options.type.maxAttempts},
            ${options.sourceFileId ?? null},
            ${options.createdBy ?? null},
            ${options.dedupKey ?? null},
            ${inputFromParents === null ? null : sql.json(inputFromParents)}
          )
          ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
          RETURNING *
        `
          const inserted = yield* decodeOne(rows)
          if (Option.isNone(inserted)) {
            const existing =
              yield* sql`SELECT * FROM jobs WHERE dedup_key = ${options.dedupKey ?? null}`
            return Option.getOrThrow(yield* decodeOne(existing))
          }
          for (const parentId of parentIds) {
            yield* sql`
              INSERT INTO job_dependencies (job_id, depends_on_job_id)
              VALUES (${inserted.value.id}, ${parentId})
            `
          }
          if (ready) yield* notifyQueued(options.type.name)
          return inserted.value
        }).pipe(sql.withTransaction, Effect.withSpan("JobRepository.enqueueWithDependencies"))

      const findById = (id: JobId) =>
        Effect.flatMap(sql`SELECT * FROM jobs WHERE id = ${id}`, decodeOne).pipe(
          Effect.withSpan("JobRepository.findById")
        )

      /** The ids of a job's parents, in id order. */
      const parentsOf = (id: JobId) =>
        Effect.map(
          sql<{ dependsOnJobId: JobId }>`
            SELECT depends_on_job_id FROM job_dependencies WHERE job_id = ${id}
            ORDER BY depends_on_job_id
          `,
          (rows) => rows.map((row) => row.dependsOnJobId)
        ).pipe(Effect.withSpan("JobRepository.parentsOf"))

      /**
       * Claims due queued jobs, highest priority first, within the free slots overall and per
       * type, and marks them dispatched to `executor` with the attempt counter raised. The
       * candidates are locked with `FOR UPDATE SKIP LOCKED` in the claim's transaction, so
       * concurrent claimers pass over each other's rows instead of waiting for them or taking
       * them twice.
       */
      const claim = (options: ClaimOptions) =>
        Effect.gen(function* () {
          const slots = new Map(options.typeSlots)
          const picked: Array<JobId> = []
          // Each round locks at most as many rows as slots are left, so concurrent claimers
          // share the queue; a round that meets a type without slots excludes it and goes on.
          for (;;) {
            const remaining = options.limit - picked.length
            if (remaining <= 0) break
            const full = [...slots].filter(([, free]) => free <= 0).map(([type]) => type)
            const candidates = yield* sql<{ id: JobId; type: string }>`
              SELECT id, type FROM jobs
              WHERE status = 'queued' AND run_after <= now()
                ${full.length > 0 ? sql`AND type NOT IN ${sql.in(full)}` : sql``}
                ${picked.length > 0 ? sql`AND id NOT IN ${sql.in(picked)}` : sql``}
              ORDER BY priority DESC, run_after, id
              LIMIT ${remaining}
              FOR UPDATE SKIP LOCKED
            `
            let skipped = false
            for (const candidate of candidates) {
              const free = slots.get(candidate.type)
              if (free !== undefined && free <= 0) {
                skipped = true
                continue
              }
              if (free !== undefined) slots.set(candidate.type, free - 1)
              picked.push(candidate.id)
            }
            if (candidates.length < remaining && !skipped) break
            if (candidates.length === 0) break
          }
          if (picked.length === 0) return []
          const rows = yield* sql`
            UPDATE jobs
            SET status = 'dispatched', attempt = attempt + 1, executor = ${options.executor},
                executor_ref = NULL, progress = NULL, error = NULL, heartbeat_at = now(),
                updated_at = now()
            WHERE id IN ${sql.in(picked)} AND status = 'queued'
            RETURNING *
          `
          const records = yield* decodeAll(rows)
          // RETURNING gives no order; keep the claim order for the caller.
          const order = new Map(picked.map((id, index) => [id as number, index]))
          return [...records].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
        }).pipe(sql.withTransaction, Effect.withSpan("JobRepository.claim"))

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
       * Records a failed attempt. With a retry delay and attempts left the job goes back to
       * `queued` to run after that delay; otherwise it fails for good.
       */
      const fail = (
        id: JobId,
        attempt: number,
        error: JobError,
        logTail: string | null,
        retryAfterMillis: Option.Option<number>
      ) =>
        Effect.flatMap(
          sql`
          UPDATE jobs
          SET status = CASE WHEN ${Option.isSome(retryAfterMillis)} AND attempt < max_attempts
                            THEN 'queued' ELSE 'failed' END,
              run_after = CASE WHEN ${Option.isSome(retryAfterMillis)}
                               THEN now() + ${Option.getOrElse(retryAfterMillis, () => 0)} * interval '1 millisecond'
                               ELSE run_after END,
              finished_at = CASE WHEN ${Option.isSome(retryAfterMillis)} AND attempt < max_attempts
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

      /** Jobs an executor (or, for null, any executor) has accepted and not finished. */
      const listActive = (executor: string | null) =>
        Effect.flatMap(
          sql`
            SELECT * FROM jobs
            WHERE status IN ('dispatched', 'running')
              ${executor === null ? sql`` : sql`AND executor = ${executor}`}
            ORDER BY id
          `,
          decodeAll
        ).pipe(Effect.withSpan("JobRepository.listActive"))

      /** Whether each of the given attempts is still dispatched or running, by `id:attempt`. */
      const activeAttempts = (ids: ReadonlyArray<JobId>) =>
        ids.length === 0
          ? Effect.succeed(new Set<string>())
          : Effect.map(
              sql<{ id: JobId; attempt: number }>`
                SELECT id, attempt FROM jobs
                WHERE id IN ${sql.in(ids)} AND status IN ('dispatched', 'running')
              `,
              (rows) => new Set(rows.map((row) => `${row.id}:${row.attempt}`))
            ).pipe(Effect.withSpan("JobRepository.activeAttempts"))

      /**
       * Queues the waiting dependants of a job that just succeeded whose parents have all
       * succeeded, with their input filled in from the parents' outputs. A dependant whose
       * resolved input is invalid fails instead, and so do its own dependants. Run it in the
       * transaction that stores the parent's success.
       */
      const releaseDependants = (parentId: JobId) =>
        Effect.gen(function* () {
          // Locking the waiting children first serialises two parents of one child that
          // succeed at the same time: the second sees the first one's committed status.
          const children = yield* sql<{ id: JobId }>`
            SELECT id FROM jobs
            WHERE status = 'waiting'
              AND id IN (SELECT job_id FROM job_dependencies WHERE depends_on_job_id = ${parentId})
            ORDER BY id
            FOR UPDATE
          `
          const released: Array<JobRecord> = []
          const failed: Array<JobRecord> = []
          for (const { id } of children) {
            const parents = yield* sql<{ id: JobId; status: JobStatus; output: unknown }>`
              SELECT p.id, p.status, p.output
              FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_job_id
              WHERE d.job_id = ${id}
            `
            if (!parents.every((parent) => parent.status === "succeeded")) continue
            const child = Option.getOrThrow(
              yield* decodeOne(yield* sql`SELECT * FROM jobs WHERE id = ${id}`)
            )
            const outputs = new Map(parents.map((parent) => [parent.id as number, parent.output]))
            const resolved = yield* Effect.either(
              resolveInput(child.type, child.input, child.inputFromParents, outputs)
            )
            if (resolved._tag === "Right") {
              const rows = yield* sql`
                UPDATE jobs SET status = 'queued', input = ${sql.json(resolved.right)},
                                run_after = now(), updated_at = now()
                WHERE id = ${id} AND status = 'waiting'
                RETURNING *
              `
              released.push(...(yield* decodeAll(rows)))
              yield* notifyQueued(child.type)
            } else {
              const rows = yield* sql`
                UPDATE jobs SET status = 'failed', error = ${sql.json(resolved.left)},
                                finished_at = now(), updated_at = now()
                WHERE id = ${id} AND status = 'waiting'
                RETURNING *
              `
              const stored = yield* decodeAll(rows)
              failed.push(...stored)
              for (const record of stored) {
                failed.push(...(yield* finishDependants(record)))
              }
            }
          }
          return { released, failed } satisfies DependantsChange
        }).pipe(Effect.withSpan("JobRepository.releaseDependants"))

      /**
       * Ends every waiting job that depends, directly or through others, on a job that failed
       * for good or was cancelled: failed with the parent's reason, or cancelled with it.
       */
      const finishDependants = (parent: JobRecord) =>
        Effect.gen(function* () {
          const cancelled = parent.status === "cancelled"
          const reason = cancelled
            ? `was cancelled`
            : `failed: ${parent.error?.message ?? "no reason was recorded"}`
          const error: JobError = {
            code: cancelled ? "dependency_cancelled" : "dependency_failed",
            message: `Job ${parent.id} (${parent.type}), which this job depends on, ${reason}`,
            retryable: false
          }
          const rows = yield* sql`
            WITH RECURSIVE dependants (id) AS (
              SELECT job_id FROM job_dependencies WHERE depends_on_job_id = ${parent.id}
              UNION
              SELECT d.job_id FROM job_dependencies d JOIN dependants ON d.depends_on_job_id = dependants.id
            )
            UPDATE jobs
            SET status = ${cancelled ? "cancelled" : "failed"}, error = ${sql.json(error)},
                finished_at = now(), updated_at = now()
            WHERE id IN (SELECT id FROM dependants) AND status = 'waiting'
            RETURNING *
          `
          return yield* decodeAll(rows)
        }).pipe(Effect.withSpan("JobRepository.finishDependants"))

      /**
       * Cancels a job that has not finished. A waiting or queued job ends at once; an attempt
       * that runs is ended here too, and the orchestrator, notified on `jobCancelsChannel`,
       * stops it. Jobs that depend on it are cancelled with it.
       */
      const cancel = (id: JobId) =>
        Effect.gen(function* () {
          const rows = yield* sql`
            UPDATE jobs
            SET status = 'cancelled', finished_at = now(), updated_at = now(),
                error = ${sql.json({ code: "cancelled", message: "Cancelled by a moderator", retryable: false } satisfies JobError)}
            WHERE id = ${id} AND status IN ('waiting', 'queued', 'dispatched', 'running')
            RETURNING *
          `
          const cancelled = yield* decodeOne(rows)
          if (Option.isNone(cancelled)) {
            return Option.map(yield* findById(id), (job): JobChange => ({ job, changed: false }))
          }
          yield* sql`SELECT pg_notify(${jobCancelsChannel}, ${String(id)})`
          yield* finishDependants(cancelled.value)
          return Option.some<JobChange>({ job: cancelled.value, changed: true })
        }).pipe(sql.withTransaction, Effect.withSpan("JobRepository.cancel"))

      /**
       * Queues a failed or cancelled job again with a fresh set of attempts. Attempt numbers go
       * on counting, so the new attempts never reuse the name of an earlier Kubernetes Job. A job
       * with a parent that failed or was cancelled stays as it is: retry the parent first.
       */
      const retry = (id: JobId) =>
        Effect.gen(function* () {
          const current = yield* findById(id)
          if (Option.isNone(current)) return Option.none<JobChange>()
          const attempts = Option.match(findJobType(current.value.type), {
            onNone: () => 1,
            onSome: (type) => type.maxAttempts
          })
          const rows = yield* sql`
            UPDATE jobs
            SET status = CASE WHEN EXISTS (
                  SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_job_id
                  WHERE d.job_id = jobs.id AND p.status <> 'succeeded'
                ) THEN 'waiting' ELSE 'queued' END,
                max_attempts = attempt + ${attempts},
                run_after = now(), finished_at = NULL, error = NULL, progress = NULL,
                updated_at = now()
            WHERE id = ${id} AND status IN ('failed', 'cancelled')
              AND NOT EXISTS (
                SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_job_id
                WHERE d.job_id = jobs.id AND p.status IN ('failed', 'cancelled')
              )
            RETURNING *
          `
          const retried = yield* decodeOne(rows)
          if (Option.isNone(retried)) {
            return Option.some<JobChange>({ job: current.value, changed: false })
          }
          yield* notifyQueued(retried.value.type)
          return Option.some<JobChange>({ job: retried.value, changed: true })
        }).pipe(sql.withTransaction, Effect.withSpan("JobRepository.retry"))

      /** Changes the priority of a job that has not started yet; higher runs first. */
      const setPriority = (id: JobId, priority: number) =>
        Effect.gen(function* () {
          const rows = yield* sql`
            UPDATE jobs SET priority = ${priority}, updated_at = now()
            WHERE id = ${id} AND status IN ('waiting', 'queued')
            RETURNING *
          `
          const updated = yield* decodeOne(rows)
          if (Option.isNone(updated)) {
            return Option.map(yield* findById(id), (job): JobChange => ({ job, changed: false }))
          }
          yield* notifyQueued(updated.value.type)
          return Option.some<JobChange>({ job: updated.value, changed: true })
        }).pipe(sql.withTransaction, Effect.withSpan("JobRepository.setPriority"))

      return {
        enqueue,
        enqueueEncoded,
        enqueueWithDependencies,
        findById,
        parentsOf,
        claim,
        markRunning,
        recordProgress,
        succeed,
        fail,
        requeueInterrupted,
        listActive,
        activeAttempts,
        releaseDependants,
        finishDependants,
        cancel,
        retry,
        setPriority
      } as const
    })
  }
) {}
