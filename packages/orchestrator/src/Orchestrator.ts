/**
 * The job controller: while it is the leader it claims due jobs (woken by LISTEN/NOTIFY, with a
 * polling fallback), runs each attempt through the executor, stores progress and outcome, and
 * runs the follow-up of finished media jobs. On start it takes over the attempts a previous
 * process left behind.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { findJobType, type JobError, type WorkerProgress } from "@videoag/domain"
import { JobRepository, jobsChannel, type JobRecord } from "@videoag/domain/sql"
import { AttemptOutcome, JobExecutor, type AttemptEvents } from "./JobExecutor.js"
import * as Leadership from "./Leadership.js"
import { MediaPipeline } from "./MediaPipeline.js"
import { OrchestratorConfig } from "./OrchestratorConfig.js"

/** Delay before retrying after `attempt` failed: exponential with jitter, capped. */
export const retryDelay = (attempt: number, base: Duration.Duration, max: Duration.Duration) =>
  Effect.map(Random.nextRange(0.5, 1), (jitter) => {
    const exponential = Duration.toMillis(base) * 2 ** Math.max(0, attempt - 1)
    return Duration.millis(Math.round(Math.min(exponential, Duration.toMillis(max)) * jitter))
  })

const decodeOutput = (schema: Schema.Schema.AnyNoContext, output: unknown) =>
  Schema.decodeUnknown(schema)(output)

export const make = Effect.gen(function* () {
  const sql = yield* PgClient.PgClient
  const jobs = yield* JobRepository
  const pipeline = yield* MediaPipeline
  const executor = yield* JobExecutor
  const settings = yield* OrchestratorConfig

  const events = (job: JobRecord): Effect.Effect<AttemptEvents> =>
    Effect.map(Ref.make(0), (lastWrite) => ({
      started: (executorRef) =>
        jobs
          .markRunning(job.id, job.attempt, executorRef)
          .pipe(
            Effect.catchAllCause((cause) =>
              Effect.logWarning("Could not mark the job running", cause)
            )
          ),
      progress: (progress: WorkerProgress) =>
        Effect.gen(function* () {
          const now = Date.now()
          const last = yield* Ref.get(lastWrite)
          if (now - last < Duration.toMillis(settings.progressInterval) && progress.percent < 100)
            return
          yield* Ref.set(lastWrite, now)
          yield* jobs.recordProgress(job.id, job.attempt, {
            percent: progress.percent,
            etaSeconds: progress.etaSeconds,
            message: progress.message ?? null,
            updatedAt: new Date(now).toISOString()
          })
        }).pipe(
          Effect.catchAllCause((cause) => Effect.logWarning("Could not store progress", cause))
        )
    }))

  const storeFailure = (job: JobRecord, error: JobError, logTail: string | null) =>
    Effect.gen(function* () {
      const retryAt =
        error.retryable && job.attempt < job.maxAttempts
          ? Option.some(
              new Date(
                Date.now() +
                  Duration.toMillis(
                    yield* retryDelay(job.attempt, settings.retryBaseDelay, settings.retryMaxDelay)
                  )
              )
            )
          : Option.none()
      const stored = yield* jobs.fail(job.id, job.attempt, error, logTail, retryAt)
      if (Option.isSome(stored) && stored.value.status === "failed") {
        yield* pipeline.onFailed(stored.value)
      }
      yield* Effect.logWarning(
        Option.isSome(retryAt) ? "Attempt failed; retrying later" : "Job failed"
      ).pipe(Effect.annotateLogs({ code: error.code, reason: error.message }))
    }).pipe(sql.withTransaction)

  const storeSuccess = (job: JobRecord, output: unknown, logTail: string | null) =>
    Effect.gen(function* () {
      const stored = yield* jobs.succeed(job.id, job.attempt, output, logTail)
      if (Option.isNone(stored)) {
        return yield* Effect.logWarning("The job changed while it ran; its output was discarded")
      }
      yield* pipeline.onSucceeded(stored.value, output)
      yield* Effect.logInfo("Job succeeded")
    }).pipe(sql.withTransaction)

  const store = (job: JobRecord, outcome: AttemptOutcome) =>
    AttemptOutcome.$match(outcome, {
      Succeeded: ({ logTail, output }) =>
        Option.match(findJobType(job.type), {
          onNone: () => storeFailure(job, unknownType(job), logTail),
          onSome: (type) =>
            decodeOutput(type.output, output).pipe(
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
        }),
      Failed: ({ error, logTail }) => storeFailure(job, error, logTail)
    })

  const unknownType = (job: JobRecord): JobError => ({
    code: "unknown_job_type",
    message: `No executor knows the job type ${JSON.stringify(job.type)}`,
    retryable: false
  })

  /** Runs one claimed attempt and stores its outcome; an interrupted attempt is queued again. */
  const runAttempt = (job: JobRecord, attempt: Effect.Effect<AttemptOutcome>) =>
    attempt.pipe(
      Effect.flatMap((outcome) => store(job, outcome)),
      Effect.onInterrupt(() =>
        jobs.requeueInterrupted(job.id, job.attempt).pipe(
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

  const start = (job: JobRecord) =>
    Effect.flatMap(events(job), (attemptEvents) =>
      Option.match(findJobType(job.type), {
        onNone: () => storeFailure(job, unknownType(job), null),
        onSome: () => runAttempt(job, executor.run(job, attemptEvents))
      })
    )

  /** Takes over the attempts a previous process left in `dispatched` or `running`. */
  const recover = (running: FiberSet.FiberSet, active: Ref.Ref<number>) =>
    Effect.gen(function* () {
      for (const job of yield* jobs.listActive(executor.name)) {
        const attemptEvents = yield* events(job)
        const resumed = executor.resume(job, attemptEvents)
        if (Option.isSome(resumed)) {
          yield* Ref.update(active, (count) => count + 1)
          yield* FiberSet.run(
            running,
            runAttempt(job, resumed.value).pipe(
              Effect.ensuring(Ref.update(active, (count) => count - 1))
            )
          )
        } else if (yield* jobs.requeueInterrupted(job.id, job.attempt)) {
          yield* Effect.logInfo(
            "Queued an attempt left behind by a previous orchestrator again"
          ).pipe(Effect.annotateLogs({ jobId: job.id, attempt: job.attempt }))
        }
      }
    })

  /** One term as leader: recover, then claim and run jobs until leadership is lost. */
  const lead = Effect.gen(function* () {
    const leadership = yield* Leadership.acquire({
      retryInterval: Duration.seconds(2),
      checkInterval: Duration.seconds(5)
    })
    const running = yield* FiberSet.make()
    const active = yield* Ref.make(0)
    const wakeUp = yield* Queue.sliding<void>(1)

    yield* recover(running, active)

    yield* sql.listen(jobsChannel).pipe(
      Stream.runForEach(() => Queue.offer(wakeUp, undefined)),
      Effect.catchAllCause((cause) =>
        Effect.logWarning("Listening for new jobs stopped; polling continues", cause)
      ),
      Effect.forkScoped
    )
    yield* Queue.offer(wakeUp, undefined).pipe(
      Effect.repeat(Schedule.spaced(settings.pollInterval)),
      Effect.forkScoped
    )

    const claimFreeSlots: Effect.Effect<void, unknown> = Effect.suspend(() => claimOnce)
    const claimOnce = Effect.gen(function* () {
      const free = settings.concurrency - (yield* Ref.get(active))
      if (free <= 0) return
      const claimed = yield* jobs.claim(free, executor.name)
      for (const job of claimed) {
        yield* Ref.update(active, (count) => count + 1)
        yield* Effect.logInfo("Claimed job").pipe(
          Effect.annotateLogs({ jobId: job.id, jobType: job.type, attempt: job.attempt })
        )
        yield* FiberSet.run(
          running,
          start(job).pipe(
            Effect.ensuring(
              Effect.zipRight(
                Ref.update(active, (count) => count - 1),
                Queue.offer(wakeUp, undefined)
              )
            )
          )
        )
      }
      if (claimed.length === free) yield* claimFreeSlots
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
  Layer.provide(JobRepository.Default)
)
