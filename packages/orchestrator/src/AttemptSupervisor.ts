/**
 * Watches over one attempt: passes the executor's events to the job row (progress throttled,
 * with an estimated time left), fails the attempt when it makes no progress for its type's
 * stall timeout, stops it when a moderator cancels the job, and stores its outcome.
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { WorkerProgress } from "@videoag/domain"
import { JobRepository, type JobRecord } from "@videoag/domain/sql"
import { AttemptOutcome, JobExecutor, type AttemptEvents } from "./JobExecutor.js"
import { OrchestratorConfig, stallTimeoutOf } from "./OrchestratorConfig.js"
import { makeOutcomeStore } from "./OutcomeStore.js"

/** Seconds left at the rate seen since the attempt started, or null before any progress. */
export const estimateSecondsLeft = (percent: number, elapsedMillis: number) =>
  percent > 0 && percent < 100 && elapsedMillis > 0
    ? Math.round(((elapsedMillis / percent) * (100 - percent)) / 1000)
    : null

type Ending =
  | { readonly _tag: "Finished"; readonly outcome: AttemptOutcome }
  | { readonly _tag: "Stalled"; readonly outcome: AttemptOutcome }
  | { readonly _tag: "Cancelled" }

export const makeAttemptSupervisor = Effect.gen(function* () {
  const jobs = yield* JobRepository
  const executor = yield* JobExecutor
  const settings = yield* OrchestratorConfig
  const outcomes = yield* makeOutcomeStore

  const makeEvents = (job: JobRecord, lastProgress: Ref.Ref<number>) =>
    Effect.gen(function* () {
      const startedAt = yield* Ref.make<number | null>(null)
      const lastWrite = yield* Ref.make(0)
      const events: AttemptEvents = {
        started: (executorRef) =>
          Effect.gen(function* () {
            const now = yield* Clock.currentTimeMillis
            yield* Ref.set(lastProgress, now)
            yield* Ref.update(startedAt, (value) => value ?? now)
            yield* jobs.markRunning(job.id, job.attempt, executorRef)
          }).pipe(
            Effect.catchAllCause((cause) =>
              Effect.logWarning("Could not mark the job running", cause)
            )
          ),
        progress: (progress: WorkerProgress) =>
          Effect.gen(function* () {
            const now = yield* Clock.currentTimeMillis
            yield* Ref.set(lastProgress, now)
            const since = (yield* Ref.updateAndGet(startedAt, (value) => value ?? now)) ?? now
            const last = yield* Ref.get(lastWrite)
            if (
              now - last < Duration.toMillis(settings.progressInterval) &&
              progress.percent < 100
            ) {
              return
            }
            yield* Ref.set(lastWrite, now)
            yield* jobs.recordProgress(job.id, job.attempt, {
              percent: progress.percent,
              etaSeconds: progress.etaSeconds ?? estimateSecondsLeft(progress.percent, now - since),
              message: progress.message ?? null,
              updatedAt: new Date(now).toISOString()
            })
          }).pipe(
            Effect.catchAllCause((cause) => Effect.logWarning("Could not store progress", cause))
          )
      }
      return events
    })

  /** Completes when the attempt has reported nothing for the type's stall timeout. */
  const stallWatchdog = (job: JobRecord, lastProgress: Ref.Ref<number>) => {
    const timeout = Duration.toMillis(stallTimeoutOf(settings, job.type))
    const check: Effect.Effect<AttemptOutcome> = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const idle = now - (yield* Ref.get(lastProgress))
      if (idle < timeout) {
        yield* Effect.sleep(Duration.millis(timeout - idle))
        return yield* check
      }
      return AttemptOutcome.Failed({
        error: {
          code: "stalled",
          message: `The attempt reported no progress for ${Duration.format(Duration.millis(timeout))}, the stall timeout of ${job.type}, and was stopped`,
          retryable: true
        },
        logTail: null
      })
    })
    return check
  }

  /**
   * Runs an attempt to its end and stores the outcome. Interrupting it (shutdown, lost
   * leadership) queues the job again unless the executor's attempts outlive the orchestrator.
   */
  const supervise = (
    job: JobRecord,
    start: (events: AttemptEvents) => Effect.Effect<AttemptOutcome>,
    cancel: Deferred.Deferred<void>
  ) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const lastProgress = yield* Ref.make(Math.min(job.heartbeatAt?.getTime() ?? now, now))
      const events = yield* makeEvents(job, lastProgress)
      const ending = yield* Effect.raceAll<Effect.Effect<Ending>>([
        Effect.map(start(events), (outcome): Ending => ({ _tag: "Finished", outcome })),
        Effect.map(stallWatchdog(job, lastProgress), (outcome): Ending => ({
          _tag: "Stalled",
          outcome
        })),
        Effect.as(Deferred.await(cancel), { _tag: "Cancelled" } as Ending)
      ])
      switch (ending._tag) {
        case "Cancelled":
          yield* executor.stop(job)
          yield* executor.release(job)
          yield* Effect.logInfo("Stopped the attempt of a cancelled job")
          return
        case "Stalled":
          yield* executor.stop(job)
          yield* outcomes.store(job, ending.outcome)
          yield* executor.release(job)
          return
        case "Finished":
          yield* outcomes.store(job, ending.outcome)
          yield* executor.release(job)
      }
    }).pipe(
      Effect.onInterrupt(() =>
        executor.attemptsSurviveRestart
          ? Effect.void
          : jobs.requeueInterrupted(job.id, job.attempt).pipe(
              Effect.tap((requeued) =>
                requeued ? Effect.logInfo("Attempt interrupted; job queued again") : Effect.void
              ),
              Effect.catchAllCause((cause) =>
                Effect.logWarning("Could not queue the interrupted job again", cause)
              )
            )
      ),
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.void
          : Effect.logError("Could not store the outcome of an attempt", cause)
      ),
      Effect.annotateLogs({ jobId: job.id, jobType: job.type, attempt: job.attempt })
    )

  return { supervise, storeFailure: outcomes.storeFailure } as const
})
