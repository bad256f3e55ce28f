/**
 * Runs each attempt as a Kubernetes Job and tracks it through the cluster cache until its pod
 * ends. Attempts outlive the orchestrator: a restarted leader resumes them from the Job and pod,
 * which keep the termination message and log until the outcome is stored (the pod's finalizer).
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import {
  JobId,
  WorkerExitCode,
  WorkerMessageFromJson,
  type JobError,
  type WorkerMessage
} from "@videoag/domain"
import type { JobRecord } from "@videoag/domain/sql"
import {
  AttemptOutcome,
  attemptKey,
  JobExecutor,
  type ActiveAttemptsLookup,
  type AttemptEvents
} from "../JobExecutor.js"
import { observe, type AttemptEnding } from "./AttemptObservation.js"
import * as ClusterCache from "./ClusterCache.js"
import { attemptOfLabels, buildJob, jobName, Labels, outcomeFinalizer } from "./JobManifest.js"
import * as KubernetesClient from "./KubernetesClient.js"
import * as KubernetesConfig from "./KubernetesConfig.js"

const decodeMessage = Schema.decodeUnknownOption(WorkerMessageFromJson)

/** Time a Job the orchestrator created may stay invisible to the cache before it counts as gone. */
const createdJobGrace = Duration.seconds(30)

/** Log lines that are not protocol messages, the last `count` of them. */
export const logTailOf = (log: string, count: number) => {
  const lines = log
    .split("\n")
    .filter((line) => line.trim() !== "" && Option.isNone(decodeMessage(line)))
  return lines.length === 0 ? null : lines.slice(-count).join("\n")
}

const exitError = (name: string, exitCode: number, tail: string | null): JobError => {
  const lastLines = tail?.split("\n").slice(-3).join(" | ")
  return {
    code: "worker_exited",
    message: `The worker of ${name} exited with code ${exitCode} without reporting an error${lastLines ? `: ${lastLines}` : ""}`,
    retryable:
      exitCode !== WorkerExitCode.inputRejected && exitCode !== WorkerExitCode.mediaRejected
  }
}

export const make = Effect.gen(function* () {
  const client = yield* KubernetesClient.KubernetesClient
  const settings = yield* KubernetesConfig.KubernetesConfig
  const cache = yield* ClusterCache.make

  /**
   * Creates the attempt's Job; a Job of that name that exists already is adopted. Answers
   * that leave open whether the Job was created are retried until it is certain, because
   * failing then could leave a Job running for an attempt nobody tracks.
   */
  const ensureCreated = (job: JobRecord) =>
    client.createJob(buildJob(job, settings)).pipe(
      Effect.tap((created) =>
        Option.match(created, {
          onNone: () => Effect.logInfo("The Job of this attempt exists already; adopting it"),
          onSome: (kubeJob) => cache.seedJob(kubeJob)
        })
      ),
      Effect.retry({
        while: KubernetesClient.isRetryable,
        schedule: Schedule.exponential(Duration.seconds(1)).pipe(
          Schedule.union(Schedule.spaced(Duration.seconds(30)))
        )
      }),
      Effect.as(Option.none<JobError>()),
      Effect.catchAll((error) =>
        Effect.succeed(
          Option.some<JobError>({
            code: "job_rejected",
            message: `Kubernetes rejected the Job of this attempt: ${error.message}`,
            retryable: error.status === 403
          })
        )
      )
    )

  const readTail = (podName: string | null) =>
    podName === null
      ? Effect.succeed(null)
      : client.readLog(podName, { tailLines: settings.logTailLines * 4 }).pipe(
          Effect.map((log) =>
            Option.getOrNull(Option.map(log, (text) => logTailOf(text, settings.logTailLines)))
          ),
          Effect.catchAll((error) =>
            Effect.as(Effect.logWarning("Could not read the worker's log", error.message), null)
          )
        )

  /** The result line the worker wrote last on stdout, for results too large for the message. */
  const resultFromLog = (podName: string) =>
    Effect.map(
      client
        .readLog(podName, { limitBytes: 64 * 1024 * 1024 })
        .pipe(Effect.orElseSucceed(() => Option.none<string>())),
      (log) => {
        const lines = Option.getOrElse(log, () => "")
          .split("\n")
          .reverse()
        for (const line of lines) {
          const message = decodeMessage(line)
          if (Option.isSome(message) && message.value.event === "result") {
            return Option.some(message.value.output)
          }
        }
        return Option.none<unknown>()
      }
    )

  const outcomeOf = (name: string, podName: string | null, ending: AttemptEnding) =>
    Effect.gen(function* () {
      const logTail = yield* readTail(podName)
      if (ending._tag === "Failed") {
        return AttemptOutcome.Failed({ error: ending.error, logTail })
      }
      const message: Option.Option<WorkerMessage> = Option.flatMap(
        Option.fromNullable(ending.terminationMessage),
        decodeMessage
      )
      if (Option.isSome(message) && message.value.event === "error") {
        return AttemptOutcome.Failed({ error: message.value.error, logTail })
      }
      if (ending.exitCode !== WorkerExitCode.succeeded) {
        return AttemptOutcome.Failed({ error: exitError(name, ending.exitCode, logTail), logTail })
      }
      if (Option.isSome(message) && message.value.event === "result") {
        return AttemptOutcome.Succeeded({ output: message.value.output, logTail })
      }
      if (Option.isSome(message) && message.value.event === "result-file" && podName !== null) {
        const output = yield* resultFromLog(podName)
        if (Option.isSome(output))
          return AttemptOutcome.Succeeded({ output: output.value, logTail })
      }
      return AttemptOutcome.Failed({
        error: {
          code: "result_missing",
          message: `The worker of ${name} exited with code 0, but its result could be read neither from the termination message nor from its log`,
          retryable: true
        },
        logTail
      })
    })

  /**
   * Passes the worker's progress on while its container runs, read from the end of its log
   * every few seconds. An unchanged last progress line is not passed on again, so a worker that
   * stops making progress runs into its stall timeout.
   */
  const pollProgress = (podName: string, events: AttemptEvents) => {
    let last: string | null = null
    return client.readLog(podName, { tailLines: 20 }).pipe(
      Effect.flatMap((log) => {
        const lines = Option.getOrElse(log, () => "")
          .split("\n")
          .reverse()
        for (const line of lines) {
          const message = decodeMessage(line)
          if (Option.isSome(message) && message.value.event === "progress") {
            if (line === last) return Effect.void
            last = line
            return events.progress(message.value)
          }
        }
        return Effect.void
      }),
      Effect.catchAll((error) =>
        Effect.logDebug("Reading the worker's progress failed", error.message)
      ),
      Effect.repeat(Schedule.spaced(settings.progressPollInterval))
    )
  }

  /** Tracks the attempt until it ends; `mayCreate` allows creating a Job that is not there. */
  const track = (job: JobRecord, events: AttemptEvents, created: boolean) =>
    Effect.gen(function* () {
      const name = jobName(job.id, job.attempt)
      let createdAt = created ? yield* Clock.currentTimeMillis : null
      let problemSince: number | null = null
      let started = false
      yield* cache.synced
      while (true) {
        const view = cache.view(name)
        const observation = observe(name, view.job, view.pods)
        const now = yield* Clock.currentTimeMillis
        let wakeAt: number | null = null
        switch (observation._tag) {
          case "Ended": {
            if (observation.podName !== null || view.job === undefined) {
              return yield* outcomeOf(name, observation.podName, observation.ending)
            }
            // The Job's watch can run ahead of the pods' watch: ask for the pods directly
            // before concluding that the pod is gone.
            const listing = yield* Effect.option(
              client.listPods(`${Labels.jobId}=${job.id},${Labels.attempt}=${job.attempt}`)
            )
            if (Option.isNone(listing)) {
              wakeAt = now + 1000
              break
            }
            const listed = listing.value
            const again = observe(name, view.job, listed.items)
            if (listed.items.length === 0 || again._tag === "Ended") {
              const final = again._tag === "Ended" ? again : observation
              return yield* outcomeOf(name, final.podName, final.ending)
            }
            wakeAt = now + 1000
            break
          }
          case "NotFound": {
            if (createdAt === null && job.status === "dispatched") {
              const rejected = yield* ensureCreated(job)
              if (Option.isSome(rejected)) {
                return AttemptOutcome.Failed({ error: rejected.value, logTail: null })
              }
              createdAt = yield* Clock.currentTimeMillis
              continue
            }
            const deadline = (createdAt ?? now) + Duration.toMillis(createdJobGrace)
            if (createdAt === null || now >= deadline) {
              return AttemptOutcome.Failed({
                error: {
                  code: "job_vanished",
                  message: `The Kubernetes Job ${name} and its pod are gone; they were deleted before the orchestrator recorded the outcome`,
                  retryable: true
                },
                logTail: null
              })
            }
            wakeAt = deadline
            break
          }
          case "Waiting": {
            if (observation.problem === null) {
              problemSince = null
            } else {
              problemSince ??= now
              const deadline = problemSince + Duration.toMillis(settings.imagePullGracePeriod)
              if (observation.problem.final || now >= deadline) {
                yield* client.deleteJob(name).pipe(Effect.ignore)
                return AttemptOutcome.Failed({
                  error: {
                    code: observation.problem.code,
                    message: `${observation.problem.message}; gave up after ${Duration.format(Duration.millis(now - problemSince))}`,
                    retryable: !observation.problem.final
                  },
                  logTail: null
                })
              }
              wakeAt = deadline
            }
            if (observation.deletionDeadline !== null) {
              if (now >= observation.deletionDeadline) {
                return AttemptOutcome.Failed({
                  error: {
                    code: "pod_deleted",
                    message: `The pod of ${name} was deleted while the worker ran and did not end`,
                    retryable: true
                  },
                  logTail: null
                })
              }
              wakeAt = Math.min(wakeAt ?? Infinity, observation.deletionDeadline)
            }
            break
          }
          case "Running":
            if (!started) {
              started = true
              yield* events.started(name)
              yield* Effect.forkScoped(pollProgress(observation.podName, events))
            }
            break
        }
        const change = cache.changed(name, view.version)
        yield* wakeAt === null
          ? change
          : Effect.raceFirst(change, Effect.sleep(Duration.millis(Math.max(0, wakeAt - now))))
      }
    }).pipe(
      Effect.scoped,
      Effect.annotateLogs({ jobId: job.id, attempt: job.attempt, jobType: job.type }),
      Effect.withSpan("KubernetesExecutor.track")
    )

  const run = (job: JobRecord, events: AttemptEvents) =>
    Effect.gen(function* () {
      const rejected = yield* ensureCreated(job)
      if (Option.isSome(rejected)) {
        return AttemptOutcome.Failed({ error: rejected.value, logTail: null })
      }
      return yield* track(job, events, true)
    })

  const release = (job: JobRecord) =>
    Effect.gen(function* () {
      yield* cache.synced
      for (const pod of cache.view(jobName(job.id, job.attempt)).pods) {
        if (pod.metadata.finalizers?.includes(outcomeFinalizer)) {
          yield* client.releasePod(pod.metadata.name)
        }
      }
    }).pipe(
      Effect.catchAll((error) =>
        Effect.logWarning(
          "Could not release the pod of a finished attempt; reconciling retries",
          error.message
        )
      ),
      Effect.annotateLogs({ jobId: job.id, attempt: job.attempt })
    )

  const stop = (job: JobRecord) =>
    client.deleteJob(jobName(job.id, job.attempt)).pipe(
      Effect.catchAll((error) =>
        Effect.logWarning(
          "Could not delete the Job of a stopped attempt; reconciling retries",
          error.message
        )
      ),
      Effect.annotateLogs({ jobId: job.id, attempt: job.attempt })
    )

  /**
   * Deletes the Jobs and releases the pods of attempts whose rows moved on. The Jobs are
   * listed before the rows are read: a Job exists only after its row was dispatched, so a row
   * read later that is not active at that attempt can never become so again.
   */
  const reconcile = (activeAttempts: ActiveAttemptsLookup) =>
    Effect.gen(function* () {
      const kubeJobs = yield* client.listJobs()
      const pods = yield* client.listPods()
      const attempts = [...kubeJobs.items, ...pods.items].flatMap((object) =>
        Option.toArray(attemptOfLabels(object.metadata.labels))
      )
      const ids = [...new Set(attempts.map((attempt) => attempt.id))]
      const active = yield* activeAttempts(ids.map((id) => JobId.make(id)))
      for (const kubeJob of kubeJobs.items) {
        const attempt = attemptOfLabels(kubeJob.metadata.labels)
        if (
          Option.isNone(attempt) ||
          active.has(attemptKey(attempt.value.id, attempt.value.attempt))
        )
          continue
        const finished = (kubeJob.status?.conditions ?? []).some(
          (condition) =>
            (condition.type === "Complete" || condition.type === "Failed") &&
            condition.status === "True"
        )
        if (!finished && kubeJob.metadata.deletionTimestamp === undefined) {
          yield* Effect.logWarning("Deleting a Job whose job is no longer active").pipe(
            Effect.annotateLogs({ kubernetesJob: kubeJob.metadata.name })
          )
          yield* client.deleteJob(kubeJob.metadata.name)
        }
      }
      for (const pod of pods.items) {
        const attempt = attemptOfLabels(pod.metadata.labels)
        if (
          Option.isNone(attempt) ||
          active.has(attemptKey(attempt.value.id, attempt.value.attempt))
        )
          continue
        if (pod.metadata.finalizers?.includes(outcomeFinalizer)) {
          yield* client.releasePod(pod.metadata.name)
        }
      }
    }).pipe(
      Effect.catchAll((error) =>
        Effect.logWarning(
          "Reconciling Kubernetes Jobs failed; trying again later",
          error instanceof KubernetesClient.KubernetesError ? error.message : error
        )
      ),
      Effect.withSpan("KubernetesExecutor.reconcile")
    )

  return JobExecutor.of({
    name: "kubernetes",
    attemptsSurviveRestart: true,
    run,
    resume: (job, events) => Option.some(track(job, events, false)),
    stop,
    release,
    reconcile
  })
})

/** The executor on a client built from the given settings. */
export const layer = (settings: KubernetesConfig.KubernetesSettings) =>
  Layer.scoped(JobExecutor, make).pipe(
    Layer.provideMerge(KubernetesClient.layer),
    Layer.provideMerge(KubernetesConfig.layerWith(settings))
  )

/** `layer` configured from the environment (see `KubernetesConfig`). */
export const layerConfig = Layer.scoped(JobExecutor, make).pipe(
  Layer.provideMerge(KubernetesClient.layer),
  Layer.provideMerge(KubernetesConfig.layer)
)
