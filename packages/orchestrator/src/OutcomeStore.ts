/**
 * Stores the outcome of an attempt and runs its follow-ups in the same transaction: the media
 * pipeline's next step, and the release or failure of the jobs that depend on it. A crash
 * therefore never leaves a finished job without its follow-up.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import { findJobType, type JobError } from "@videoag/domain"
import { JobRepository, type JobRecord } from "@videoag/domain/sql"
import { AttemptOutcome } from "./JobExecutor.js"
import { MediaPipeline } from "./MediaPipeline.js"
import { OrchestratorConfig } from "./OrchestratorConfig.js"

/** Delay before retrying after `attempt` failed: exponential with jitter, capped. */
export const retryDelay = (attempt: number, base: Duration.Duration, max: Duration.Duration) =>
  Effect.map(Random.nextRange(0.5, 1), (jitter) => {
    const exponential = Duration.toMillis(base) * 2 ** Math.max(0, attempt - 1)
    return Duration.millis(Math.round(Math.min(exponential, Duration.toMillis(max)) * jitter))
  })

export const unknownTypeError = (job: JobRecord): JobError => ({
  code: "unknown_job_type",
  message: `No executor knows the job type ${JSON.stringify(job.type)}`,
  retryable: false
})

export const makeOutcomeStore = Effect.gen(function* () {
  const sql = yield* PgClient.PgClient
  const jobs = yield* JobRepository
  const pipeline = yield* MediaPipeline
  const settings = yield* OrchestratorConfig

  /** Runs the follow-ups of a job that ended for good without success. */
  const endedForGood = (job: JobRecord) =>
    Effect.gen(function* () {
      yield* pipeline.onFailed(job)
      const dependants = yield* jobs.finishDependants(job)
      for (const dependant of dependants) {
        yield* pipeline.onFailed(dependant)
      }
      if (dependants.length > 0) {
        yield* Effect.logWarning("Ended the jobs that depend on this one").pipe(
          Effect.annotateLogs({ dependantJobIds: dependants.map((dependant) => dependant.id) })
        )
      }
    })

  const storeFailure = (job: JobRecord, error: JobError, logTail: string | null) =>
    Effect.gen(function* () {
      const retry =
        error.retryable && job.attempt < job.maxAttempts
          ? Option.some(
              Duration.toMillis(
                yield* retryDelay(job.attempt, settings.retryBaseDelay, settings.retryMaxDelay)
              )
            )
          : Option.none()
      const stored = yield* jobs.fail(job.id, job.attempt, error, logTail, retry)
      if (Option.isNone(stored)) {
        return yield* Effect.logWarning("The job changed while it ran; its failure was discarded")
      }
      if (stored.value.status === "failed") {
        yield* endedForGood(stored.value)
      }
      yield* Effect.logWarning(
        stored.value.status === "queued" ? "Attempt failed; retrying later" : "Job failed"
      ).pipe(Effect.annotateLogs({ code: error.code, reason: error.message }))
    }).pipe(sql.withTransaction)

  const storeSuccess = (job: JobRecord, output: unknown, logTail: string | null) =>
    Effect.gen(function* () {
      const stored = yield* jobs.succeed(job.id, job.attempt, output, logTail)
      if (Option.isNone(stored)) {
        return yield* Effect.logWarning("The job changed while it ran; its output was discarded")
      }
      yield* pipeline.onSucceeded(stored.value, output)
      const { failed, released } = yield* jobs.releaseDependants(job.id)
      for (const dependant of failed) {
        yield* pipeline.onFailed(dependant)
      }
      yield* Effect.logInfo("Job succeeded").pipe(
        Effect.annotateLogs({
          releasedJobIds: released.map((dependant) => dependant.id),
          failedJobIds: failed.map((dependant) => dependant.id)
        })
      )
    }).pipe(sql.withTransaction)

  /** Stores an outcome; a success whose output does not match the job type fails instead. */
  const store = (job: JobRecord, outcome: AttemptOutcome) =>
    AttemptOutcome.$match(outcome, {
      Succeeded: ({ logTail, output }) =>
        Option.match(findJobType(job.type), {
          onNone: () => storeFailure(job, unknownTypeError(job), logTail),
          onSome: (type) => {
            const schema: Schema.Schema.AnyNoContext = type.output
            return Schema.decodeUnknown(schema)(output).pipe(
              Effect.matchEffect({
                onFailure: (error) =>
                  storeFailure(
                    job,
                    {
                      code: "output_invalid",
                      message: `The worker's output does not match ${job.type}: ${error.message}`,
                      retryable: false
                    },
                    logTail
                  ),
                onSuccess: () => storeSuccess(job, output, logTail)
              })
            )
          }
        }),
      Failed: ({ error, logTail }) => storeFailure(job, error, logTail)
    })

  return { store, storeFailure } as const
})
