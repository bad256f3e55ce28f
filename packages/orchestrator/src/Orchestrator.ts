/**
 * The job controller. While it is the leader it claims due jobs (woken by LISTEN/NOTIFY, with a
 * polling fallback) within the global and per-type limits, runs each attempt through the
 * executor under an attempt supervisor, stops attempts of cancelled jobs, enqueues scheduled
 * jobs, and reconciles the executor's attempts with the job rows at start and periodically.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { findJobType, jobTypes, type JobId } from "@videoag/domain"
import {
  JobRepository,
  JobScheduleRepository,
  jobCancelsChannel,
  jobsChannel,
  type JobRecord
} from "@videoag/domain/sql"
import { makeAttemptSupervisor } from "./AttemptSupervisor.js"
import { AttemptOutcome, attemptKey, JobExecutor, type AttemptEvents } from "./JobExecutor.js"
import * as Leadership from "./Leadership.js"
import { MediaPipeline } from "./MediaPipeline.js"
import { OrchestratorConfig, typeConcurrency } from "./OrchestratorConfig.js"
import { unknownTypeError } from "./OutcomeStore.js"
import * as Scheduler from "./Scheduler.js"

export { retryDelay } from "./OutcomeStore.js"

interface RunningAttempt {
  readonly job: JobRecord
  readonly cancel: Deferred.Deferred<void>
}

export const make = Effect.gen(function* () {
  const sql = yield* PgClient.PgClient
  const jobs = yield* JobRepository
  const executor = yield* JobExecutor
  const settings = yield* OrchestratorConfig
  const supervisor = yield* makeAttemptSupervisor
  const schedules = yield* JobScheduleRepository

  /** One term as leader: recover, then claim and run jobs until leadership is lost. */
  const lead = Effect.gen(function* () {
    const leadership = yield* Leadership.acquire({
      retryInterval: settings.leaderRetryInterval ?? Duration.seconds(2),
      checkInterval: settings.leaderCheckInterval ?? Duration.seconds(5)
    })
    const running = new Map<JobId, RunningAttempt>()
    const fibers = yield* FiberSet.make()
    const wakeUp = yield* Queue.sliding<void>(1)

    const startAttempt = (
      job: JobRecord,
      start: (events: AttemptEvents) => Effect.Effect<AttemptOutcome>
    ) =>
      Effect.gen(function* () {
        const cancel = yield* Deferred.make<void>()
        running.set(job.id, { job, cancel })
        yield* FiberSet.run(
          fibers,
          supervisor.supervise(job, start, cancel).pipe(
            Effect.ensuring(
              Effect.zipRight(
                Effect.sync(() => {
                  if (running.get(job.id)?.cancel === cancel) running.delete(job.id)
                }),
                Queue.offer(wakeUp, undefined)
              )
            )
          )
        )
      })

    /** Takes over an attempt a previous leader left behind, or queues it again. */
    const adopt = (job: JobRecord) =>
      Effect.gen(function* () {
        if (running.has(job.id)) return
        if (executor.attemptsSurviveRestart) {
          yield* startAttempt(job, (events) =>
            Option.getOrElse(executor.resume(job, events), () =>
              Effect.succeed(
                AttemptOutcome.Failed({
                  error: {
                    code: "attempt_lost",
                    message: `The ${executor.name} executor cannot resume attempt ${job.attempt}`,
                    retryable: true
                  },
                  logTail: null
                })
              )
            )
          )
          yield* Effect.logInfo("Resumed tracking an attempt").pipe(
            Effect.annotateLogs({ jobId: job.id, attempt: job.attempt })
          )
        } else if (yield* jobs.requeueInterrupted(job.id, job.attempt)) {
          yield* Effect.logInfo(
            "Queued an attempt left behind by a previous orchestrator again"
          ).pipe(Effect.annotateLogs({ jobId: job.id, attempt: job.attempt }))
        }
      })

    /** Compares the rows with the attempts this leader and the executor hold. */
    const reconcile = Effect.gen(function* () {
      const held = [...running.values()]
      const active = yield* jobs.listActive(executor.name)
      const activeKeys = new Set(active.map((job) => attemptKey(job.id, job.attempt)))
      for (const job of active) {
        yield* adopt(job)
      }
      for (const attempt of held) {
        if (!activeKeys.has(attemptKey(attempt.job.id, attempt.job.attempt))) {
          yield* Deferred.succeed(attempt.cancel, undefined)
        }
      }
      yield* executor.reconcile(jobs.activeAttempts)
    }).pipe(Effect.withSpan("Orchestrator.reconcile"))

    const cancelAttempt = (payload: string) =>
      Effect.gen(function* () {
        const attempt = running.get(Number(payload) as JobId)
        if (attempt === undefined) return
        yield* Effect.logInfo("Job cancelled; stopping its attempt").pipe(
          Effect.annotateLogs({ jobId: attempt.job.id, attempt: attempt.job.attempt })
        )
        yield* Deferred.succeed(attempt.cancel, undefined)
      })

    for (const job of yield* jobs.listActive(null)) {
      if (job.executor !== executor.name && (yield* jobs.requeueInterrupted(job.id, job.attempt))) {
        yield* Effect.logWarning("Queued again an attempt of another executor").pipe(
          Effect.annotateLogs({ jobId: job.id, attempt: job.attempt, executor: job.executor })
        )
      }
    }
    yield* reconcile

    yield* sql.listen(jobsChannel).pipe(
      Stream.runForEach(() => Queue.offer(wakeUp, undefined)),
      Effect.catchAllCause((cause) =>
        Effect.logWarning("Listening for new jobs stopped; polling continues", cause)
      ),
      Effect.forkScoped
    )
    yield* sql.listen(jobCancelsChannel).pipe(
      Stream.runForEach(cancelAttempt),
      Effect.catchAllCause((cause) =>
        Effect.logWarning("Listening for cancelled jobs stopped; reconciling finds them", cause)
      ),
      Effect.forkScoped
    )
    yield* Queue.offer(wakeUp, undefined).pipe(
      Effect.repeat(Schedule.spaced(settings.pollInterval)),
      Effect.forkScoped
    )
    yield* reconcile.pipe(
      Effect.catchAllCause((cause) =>
        Effect.logWarning("Reconciling failed; trying again on the next round", cause)
      ),
      Effect.repeat(Schedule.spaced(settings.reconcileInterval ?? Duration.minutes(1))),
      Effect.delay(settings.reconcileInterval ?? Duration.minutes(1)),
      Effect.forkScoped
    )
    yield* Scheduler.run(settings.scheduleInterval ?? Duration.seconds(30)).pipe(
      Effect.provideService(JobScheduleRepository, schedules),
      Effect.forkScoped
    )

    const typeSlots = () => {
      const slots = new Map<string, number>()
      for (const type of jobTypes) {
        const limit = typeConcurrency(settings, type.name)
        if (Option.isNone(limit)) continue
        let used = 0
        for (const attempt of running.values()) if (attempt.job.type === type.name) used += 1
        slots.set(type.name, limit.value - used)
      }
      return slots
    }

    const claimFreeSlots: Effect.Effect<void, unknown> = Effect.suspend(() => claimOnce)
    const claimOnce = Effect.gen(function* () {
      const free = settings.concurrency - running.size
      if (free <= 0) return
      const claimed = yield* jobs.claim({
        limit: free,
        executor: executor.name,
        typeSlots: typeSlots()
      })
      for (const job of claimed) {
        yield* Effect.logInfo("Claimed job").pipe(
          Effect.annotateLogs({ jobId: job.id, jobType: job.type, attempt: job.attempt })
        )
        if (Option.isNone(findJobType(job.type))) {
          yield* supervisor.storeFailure(job, unknownTypeError(job), null)
          continue
        }
        yield* startAttempt(job, (events) => executor.run(job, events))
      }
      if (claimed.length > 0 && claimed.length === free) yield* claimFreeSlots
    })

    const claimLoop = Queue.take(wakeUp).pipe(
      Effect.zipRight(
        claimFreeSlots.pipe(
          Effect.catchAllCause((cause) =>
            Effect.logWarning("Claiming jobs failed; retrying on the next wake-up", cause)
          )
        )
      ),
      Effect.forever
    )
    return yield* Effect.raceFirst(claimLoop, leadership)
  }).pipe(Effect.scoped)

  yield* lead.pipe(
    Effect.catchAllCause((cause) =>
      Effect.zipRight(
        Effect.logError("The orchestrator lost its leadership or database; starting over", cause),
        Effect.sleep(Duration.seconds(2))
      )
    ),
    Effect.forever,
    Effect.annotateLogs({ service: "Orchestrator", executor: executor.name }),
    Effect.forkScoped
  )
  yield* Effect.logInfo("Orchestrator started").pipe(
    Effect.annotateLogs({ executor: executor.name, concurrency: settings.concurrency })
  )
})

/** Runs the orchestrator for the lifetime of the layer. */
export const layer = Layer.scopedDiscard(make).pipe(
  Layer.provide(MediaPipeline.Default),
  Layer.provide(JobScheduleRepository.Default),
  Layer.provide(JobRepository.Default)
)
