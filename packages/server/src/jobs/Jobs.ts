/**
 * Jobs as moderators see and steer them: list with filters, enqueue a job of a known type,
 * retry a failed or cancelled job, cancel one that has not finished, change its priority.
 * Every change is logged. The queue's own operations do the work, so a cancel reaches the
 * orchestrator, which stops a running attempt, and a retry keeps counting attempt numbers, so
 * a Kubernetes Job name is never used twice.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import {
  Conflict,
  findJobType,
  jobTypes,
  JobPage,
  MediaRelocate,
  NotFound,
  ValidationError,
  type JobId,
  type JobStatus,
  type User
} from "@videoag/domain"
import { JobRecord, JobRepository, orDieOnSqlError, toJob } from "@videoag/domain/sql"
import { ChangeLog, diff } from "../changelog/ChangeLog.js"

const decodeRecords = Schema.decodeUnknown(Schema.Array(JobRecord))

export interface JobFilter {
  readonly status?: JobStatus | undefined
  readonly type?: string | undefined
  readonly sourceFileId?: number | undefined
  readonly limit: number
  readonly offset: number
}

const jobNotFound = (id: number) =>
  new NotFound({ code: "job_not_found", message: `No job with the id ${id}` })

export class Jobs extends Effect.Service<Jobs>()("@videoag/server/Jobs", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const repository = yield* JobRepository
    const changeLog = yield* ChangeLog

    const decode = (rows: ReadonlyArray<unknown>) => Effect.orDie(decodeRecords(rows))

    const lock = (id: JobId) =>
      Effect.gen(function* () {
        const [record] = yield* Effect.flatMap(
          sql`SELECT * FROM jobs WHERE id = ${id} FOR UPDATE`,
          decode
        )
        if (record === undefined) return yield* jobNotFound(id)
        return record
      })

    const get = (id: JobId) =>
      Effect.flatMap(repository.findById(id), (record) =>
        Option.isSome(record) ? Effect.succeed(toJob(record.value)) : jobNotFound(id)
      ).pipe(orDieOnSqlError, Effect.withSpan("Jobs.get"))

    const list = (filter: JobFilter) =>
      Effect.gen(function* () {
        const conditions = sql.and([
          filter.status === undefined ? sql`true` : sql`status = ${filter.status}`,
          filter.type === undefined ? sql`true` : sql`type = ${filter.type}`,
          filter.sourceFileId === undefined
            ? sql`true`
            : sql`source_file_id = ${filter.sourceFileId}`
        ])
        const rows = yield* sql`
          SELECT * FROM jobs WHERE ${conditions}
          ORDER BY created_at DESC, id DESC LIMIT ${filter.limit} OFFSET ${filter.offset}
        `
        const counted = yield* sql<{
          count: number
        }>`SELECT count(*)::int AS count FROM jobs WHERE ${conditions}`
        return new JobPage({
          items: (yield* decode(rows)).map(toJob),
          total: counted[0]?.count ?? 0,
          limit: filter.limit,
          offset: filter.offset
        })
      }).pipe(orDieOnSqlError, Effect.withSpan("Jobs.list"))

    const enqueue = (typeName: string, input: unknown, priority: number, user: User) =>
      Effect.gen(function* () {
        const type = findJobType(typeName)
        if (Option.isNone(type)) {
          return yield* new ValidationError({
            code: "invalid_request",
            message: `Invalid type: Unknown job type ${JSON.stringify(typeName)}; known types: ${jobTypes.map((known) => known.name).join(", ")}`,
            field: "type"
          })
        }
        if (type.value.name === MediaRelocate.name) {
          return yield* new ValidationError({
            code: "invalid_request",
            message: `Invalid type: ${MediaRelocate.name} jobs are enqueued by the system when access or visibility changes`,
            field: "type"
          })
        }
        const inputSchema: Schema.Schema<unknown, unknown> = type.value.input as never
        const decoded = yield* Schema.decodeUnknown(inputSchema, { onExcessProperty: "error" })(
          input
        ).pipe(
          Effect.mapError((error) => {
            const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
              field: ["input", ...issue.path.map(String)].join("."),
              message: issue.message
            }))
            const [first] = issues
            return new ValidationError({
              code: "invalid_request",
              message: `Invalid ${first?.field ?? "input"}: ${first?.message ?? "does not match the job type"}`,
              field: first?.field ?? "input",
              issues
            })
          })
        )
        const record = yield* repository.enqueue({
          type: type.value,
          input: decoded as never,
          priority,
          createdBy: user.id
        })
        yield* changeLog.recordChanges("job", record.id, user.id, [
          { field: "created", oldValue: null, newValue: { type: typeName, input, priority } }
        ])
        return toJob(record)
      }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Jobs.enqueue"))

    const retry = (id: JobId, user: User) =>
      Effect.gen(function* () {
        const before = yield* lock(id)
        if (before.status !== "failed" && before.status !== "cancelled") {
          return yield* new Conflict({
            code: "job_not_retryable",
            message: `Job ${id} is ${before.status}; only failed or cancelled jobs can be retried`
          })
        }
        const change = yield* repository.retry(id)
        if (Option.isNone(change)) return yield* jobNotFound(id)
        if (!change.value.changed) {
          return yield* new Conflict({
            code: "job_not_retryable",
            message: `Job ${id} depends on a job that failed or was cancelled; retry that job first`
          })
        }
        const after = change.value.job
        if (after.sourceFileId !== null) {
          yield* sql`
            UPDATE source_files SET state = 'processing', updated_at = now()
            WHERE id = ${after.sourceFileId} AND state = 'failed'
          `
        }
        yield* changeLog.recordChanges(
          "job",
          id,
          user.id,
          diff({ status: before.status }, { status: after.status }, ["status"])
        )
        return toJob(after)
      }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Jobs.retry"))

    const cancel = (id: JobId, user: User) =>
      Effect.gen(function* () {
        const before = yield* lock(id)
        if (["succeeded", "failed", "cancelled"].includes(before.status)) {
          return yield* new Conflict({
            code: "job_not_cancellable",
            message: `Job ${id} has already finished (${before.status})`
          })
        }
        // The repository notifies the orchestrator, which stops a running attempt, and cancels
        // the jobs that depend on this one.
        const change = yield* repository.cancel(id)
        if (Option.isNone(change)) return yield* jobNotFound(id)
        const after = change.value.job
        if (after.sourceFileId !== null) {
          // The file can then be attached again, as after a failure.
          yield* sql`
            UPDATE source_files SET state = 'failed', updated_at = now()
            WHERE id = ${after.sourceFileId} AND state IN ('pending', 'processing')
          `
        }
        yield* changeLog.recordChanges(
          "job",
          id,
          user.id,
          diff({ status: before.status }, { status: after.status }, ["status"])
        )
        return toJob(after)
      }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Jobs.cancel"))

    const setPriority = (id: JobId, priority: number, user: User) =>
      Effect.gen(function* () {
        const before = yield* lock(id)
        const [after] = yield* Effect.flatMap(
          sql`UPDATE jobs SET priority = ${priority}, updated_at = now() WHERE id = ${id} RETURNING *`,
          decode
        )
        if (after === undefined) return yield* jobNotFound(id)
        yield* changeLog.recordChanges("job", id, user.id, diff(before, after, ["priority"]))
        return toJob(after)
      }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Jobs.setPriority"))

    return { get, list, enqueue, retry, cancel, setPriority } as const
  }),
  dependencies: [JobRepository.Default, ChangeLog.Default]
}) {}
