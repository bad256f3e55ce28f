/**
 * Periodic jobs: each row of `job_schedules` has a cron expression in a time zone, a job type
 * and its input. The orchestrator leader calls `enqueueDue`, which enqueues the latest due
 * occurrence of each schedule with a deduplication key made of the schedule id and the
 * occurrence time, so no occurrence is ever enqueued twice, whoever leads and however often
 * the orchestrator restarts.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Cron from "effect/Cron"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { JobScheduleId } from "../Ids.js"
import { findJobType, jobTypes } from "../JobTypes.js"
import { JobRepository, type JobRecord } from "./JobRepository.js"

export const JobScheduleRecord = Schema.Struct({
  id: JobScheduleId,
  name: Schema.String,
  cron: Schema.String,
  timeZone: Schema.String,
  jobType: Schema.String,
  input: Schema.Unknown,
  enabled: Schema.Boolean,
  priority: Schema.Int,
  maxAttempts: Schema.NullOr(Schema.Int),
  lastScheduledFor: Schema.NullOr(Schema.DateFromSelf),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf
})
export type JobScheduleRecord = typeof JobScheduleRecord.Type

const decodeSchedules = Schema.decodeUnknown(Schema.Array(JobScheduleRecord))

/** A schedule that cannot be stored; `field` names the offending value. */
export class InvalidJobSchedule extends Data.TaggedError("InvalidJobSchedule")<{
  readonly field: "name" | "cron" | "timeZone" | "jobType" | "input" | "maxAttempts"
  readonly message: string
}> {}

export interface CreateScheduleOptions {
  readonly name: string
  /** Five fields (minute to weekday) or six with seconds first, as `effect/Cron` parses them. */
  readonly cron: string
  /** IANA time zone the cron fields are read in; `Europe/Berlin` when omitted. */
  readonly timeZone?: string
  readonly jobType: string
  /** The job input as its type's schema decodes it. */
  readonly input: unknown
  readonly enabled?: boolean
  readonly priority?: number
  readonly maxAttempts?: number | null
  /** Occurrences up to this time are not enqueued; the creation time when omitted. */
  readonly startAfter?: Date
}

/** An occurrence the leader enqueued. */
export interface ScheduledRun {
  readonly schedule: JobScheduleRecord
  readonly occurrence: Date
  readonly job: JobRecord
  /** Earlier occurrences that fell into a downtime and were not enqueued. */
  readonly skipped: number
}

/** Deduplication key of one occurrence of a schedule. */
export const occurrenceKey = (id: JobScheduleId, occurrence: Date) =>
  `schedule:${id}:${occurrence.toISOString()}`

/** Parses a schedule's cron expression in its time zone. */
export const parseCron = (cron: string, timeZone: string) =>
  Either.mapLeft(Cron.parse(cron, timeZone), (error) =>
    error.message.includes("time zone")
      ? new InvalidJobSchedule({
          field: "timeZone",
          message: `The time zone ${JSON.stringify(timeZone)} is unknown; use an IANA name such as Europe/Berlin`
        })
      : new InvalidJobSchedule({
          field: "cron",
          message: `The cron expression ${JSON.stringify(cron)} is invalid (${error.message}); use five fields such as "*/15 * * * *"`
        })
  )

/** Finds the latest occurrence at or before `now`, if one lies after `after`. */
export const latestOccurrence = (cron: Cron.Cron, after: Date, now: Date): Option.Option<Date> => {
  // Cron.prev drops milliseconds and is exclusive, so ask from the next whole second.
  const latest = Cron.prev(cron, new Date(Math.floor(now.getTime() / 1000) * 1000 + 1000))
  return latest.getTime() > after.getTime() ? Option.some(latest) : Option.none()
}

/** Counts the occurrences after `after` and before `before`, up to `max`. */
const countBetween = (cron: Cron.Cron, after: Date, before: Date, max: number) => {
  let count = 0
  let cursor = after
  while (count < max) {
    cursor = Cron.next(cron, cursor)
    if (cursor.getTime() >= before.getTime()) break
    count += 1
  }
  return count
}

export class JobScheduleRepository extends Effect.Service<JobScheduleRepository>()(
  "@videoag/domain/JobScheduleRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const jobs = yield* JobRepository

      const decodeOne = (rows: ReadonlyArray<unknown>) =>
        Effect.map(Effect.orDie(decodeSchedules(rows)), (records) =>
          Option.fromNullable(records[0])
        )

      /** Validates and stores a schedule; its input is encoded with the job type's schema. */
      const create = (options: CreateScheduleOptions) =>
        Effect.gen(function* () {
          const name = options.name.trim()
          if (name.length < 1 || name.length > 100) {
            return yield* new InvalidJobSchedule({
              field: "name",
              message: `The schedule name must have 1 to 100 characters, got ${JSON.stringify(options.name)}`
            })
          }
          const timeZone = options.timeZone ?? "Europe/Berlin"
          yield* parseCron(options.cron, timeZone)
          const type = findJobType(options.jobType)
          if (Option.isNone(type)) {
            return yield* new InvalidJobSchedule({
              field: "jobType",
              message: `Unknown job type ${JSON.stringify(options.jobType)}; known types: ${jobTypes.map((known) => known.name).join(", ")}`
            })
          }
          if (options.maxAttempts != null && !(options.maxAttempts >= 1)) {
            return yield* new InvalidJobSchedule({
              field: "maxAttempts",
              message: `maxAttempts must be at least 1, got ${options.maxAttempts}`
            })
          }
          const schema: Schema.Schema.AnyNoContext = type.value.input
          const encodedInput = yield* Schema.decodeUnknown(schema, { onExcessProperty: "error" })(
            options.input
          ).pipe(
            Effect.flatMap(Schema.encodeUnknown(schema)),
            Effect.mapError(
              (error) =>
                new InvalidJobSchedule({
                  field: "input",
                  message: `The input is invalid for ${type.value.name}: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
                })
            )
          )
          const rows = yield* sql`
            INSERT INTO job_schedules (name, cron, time_zone, job_type, input, enabled, priority,
                                       max_attempts, last_scheduled_for)
            VALUES (${name}, ${options.cron}, ${timeZone}, ${type.value.name}, ${sql.json(encodedInput)},
                    ${options.enabled ?? true}, ${options.priority ?? 0}, ${options.maxAttempts ?? null},
                    ${options.startAfter ?? null})
            RETURNING *
          `
          return Option.getOrThrow(yield* decodeOne(rows))
        }).pipe(Effect.withSpan("JobScheduleRepository.create"))

      const list = Effect.flatMap(sql`SELECT * FROM job_schedules ORDER BY name`, (rows) =>
        Effect.orDie(decodeSchedules(rows))
      ).pipe(Effect.withSpan("JobScheduleRepository.list"))

      const findById = (id: JobScheduleId) =>
        Effect.flatMap(sql`SELECT * FROM job_schedules WHERE id = ${id}`, decodeOne).pipe(
          Effect.withSpan("JobScheduleRepository.findById")
        )

      /**
       * Turns a schedule on or off. Turning it on starts counting at `now`, so the occurrences
       * of the time it was off are not enqueued.
       */
      const setEnabled = (id: JobScheduleId, enabled: boolean, now: Date) =>
        Effect.flatMap(
          sql`
            UPDATE job_schedules
            SET enabled = ${enabled}, updated_at = now(),
                last_scheduled_for = CASE WHEN ${enabled} AND NOT enabled THEN ${now}
                                          ELSE last_scheduled_for END
            WHERE id = ${id}
            RETURNING *
          `,
          decodeOne
        ).pipe(Effect.withSpan("JobScheduleRepository.setEnabled"))

      const remove = (id: JobScheduleId) =>
        Effect.map(
          sql`DELETE FROM job_schedules WHERE id = ${id} RETURNING id`,
          (rows) => rows.length > 0
        ).pipe(Effect.withSpan("JobScheduleRepository.remove"))

      /**
       * Enqueues the latest occurrence at or before `now` of every enabled schedule that has
       * not been enqueued yet. After a downtime that spans several occurrences only the latest
       * runs; the others are counted in `skipped`. Each schedule is handled in its own
       * transaction under a row lock, and the occurrence's deduplication key makes a second
       * enqueue of the same occurrence a no-op.
       */
      const enqueueDue = (now: Date) =>
        Effect.gen(function* () {
          const enabled = yield* sql<{ id: JobScheduleId }>`
            SELECT id FROM job_schedules WHERE enabled ORDER BY id
          `
          const runs: Array<ScheduledRun> = []
          for (const { id } of enabled) {
            const run = yield* enqueueOne(id, now).pipe(
              Effect.catchTag("InvalidJobSchedule", (error) =>
                Effect.as(
                  Effect.logError("Schedule skipped: its stored definition is invalid").pipe(
                    Effect.annotateLogs({ scheduleId: id, reason: error.message })
                  ),
                  Option.none<ScheduledRun>()
                )
              )
            )
            if (Option.isSome(run)) runs.push(run.value)
          }
          return runs
        }).pipe(Effect.withSpan("JobScheduleRepository.enqueueDue"))

      const enqueueOne = (id: JobScheduleId, now: Date) =>
        Effect.gen(function* () {
          const locked = yield* decodeOne(
            yield* sql`SELECT * FROM job_schedules WHERE id = ${id} AND enabled FOR UPDATE SKIP LOCKED`
          )
          if (Option.isNone(locked)) return Option.none<ScheduledRun>()
          const schedule = locked.value
          const cron = yield* parseCron(schedule.cron, schedule.timeZone)
          const after = schedule.lastScheduledFor ?? schedule.createdAt
          const occurrence = latestOccurrence(cron, after, now)
          if (Option.isNone(occurrence)) return Option.none<ScheduledRun>()
          const inserted = yield* jobs.enqueueEncoded({
            typeName: schedule.jobType,
            encodedInput: schedule.input,
            priority: schedule.priority,
            maxAttempts: schedule.maxAttempts,
            dedupKey: occurrenceKey(schedule.id, occurrence.value),
            scheduleId: schedule.id
          })
          yield* sql`
            UPDATE job_schedules SET last_scheduled_for = ${occurrence.value}, updated_at = now()
            WHERE id = ${id}
          `
          if (Option.isNone(inserted)) return Option.none<ScheduledRun>()
          return Option.some<ScheduledRun>({
            schedule,
            occurrence: occurrence.value,
            job: inserted.value,
            skipped: countBetween(cron, after, occurrence.value, 10_000)
          })
        }).pipe(sql.withTransaction)

      /** The earliest occurrence after `now` among the enabled schedules. */
      const nextOccurrence = (now: Date) =>
        Effect.gen(function* () {
          const schedules = yield* Effect.orDie(
            decodeSchedules(yield* sql`SELECT * FROM job_schedules WHERE enabled`)
          )
          let earliest: Option.Option<Date> = Option.none()
          for (const schedule of schedules) {
            const cron = parseCron(schedule.cron, schedule.timeZone)
            if (Either.isLeft(cron)) continue
            const next = Cron.next(cron.right, now)
            if (Option.isNone(earliest) || next.getTime() < earliest.value.getTime()) {
              earliest = Option.some(next)
            }
          }
          return earliest
        }).pipe(Effect.withSpan("JobScheduleRepository.nextOccurrence"))

      return { create, list, findById, setEnabled, remove, enqueueDue, nextOccurrence } as const
    }),
    dependencies: [JobRepository.Default]
  }
) {}
