/**
 * The leader's schedule loop: enqueues the due occurrences of `job_schedules`, then sleeps
 * until the next occurrence (at most the schedule interval, so new schedules are seen).
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { JobScheduleRepository } from "@videoag/domain/sql"

export const run = (maxSleep: Duration.Duration) =>
  Effect.gen(function* () {
    const schedules = yield* JobScheduleRepository
    const tick = Effect.gen(function* () {
      const now = new Date(yield* Clock.currentTimeMillis)
      for (const scheduled of yield* schedules.enqueueDue(now)) {
        yield* Effect.logInfo("Enqueued a scheduled job").pipe(
          Effect.annotateLogs({
            scheduleId: scheduled.schedule.id,
            schedule: scheduled.schedule.name,
            occurrence: scheduled.occurrence.toISOString(),
            jobId: scheduled.job.id,
            skippedOccurrences: scheduled.skipped
          })
        )
      }
      const next = yield* schedules.nextOccurrence(now)
      // Measured after the queries, so the time they took does not delay the next occurrence.
      const current = yield* Clock.currentTimeMillis
      const untilNext = Option.match(next, {
        onNone: () => Duration.toMillis(maxSleep),
        onSome: (occurrence) => Math.max(0, occurrence.getTime() - current)
      })
      return Duration.millis(Math.min(untilNext, Duration.toMillis(maxSleep)))
    })
    return yield* tick.pipe(
      Effect.catchAllCause((cause) =>
        Effect.as(
          Effect.logWarning("Enqueueing scheduled jobs failed; trying again", cause),
          maxSleep
        )
      ),
      Effect.flatMap(Effect.sleep),
      Effect.forever,
      Effect.annotateLogs({ loop: "Scheduler" })
    )
  })
