/**
 * The executor runs one attempt of a job somewhere (a local child process, a Kubernetes Job)
 * through the worker protocol and reports its outcome. The orchestrator stores what it reports.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { JobError, JobId, WorkerProgress } from "@videoag/domain"
import type { JobRecord } from "@videoag/domain/sql"

export type AttemptOutcome = Data.TaggedEnum<{
  Succeeded: { readonly output: unknown; readonly logTail: string | null }
  Failed: { readonly error: JobError; readonly logTail: string | null }
}>
export const AttemptOutcome = Data.taggedEnum<AttemptOutcome>()

/** Callbacks through which an executor reports an attempt while it runs. */
export interface AttemptEvents {
  /** The attempt started; `executorRef` names it for the executor (a pid, a Job name). */
  readonly started: (executorRef: string) => Effect.Effect<void>
  readonly progress: (progress: WorkerProgress) => Effect.Effect<void>
}

/** Returns the attempts, as `id:attempt`, whose rows are still dispatched or running. */
export type ActiveAttemptsLookup = (
  ids: ReadonlyArray<JobId>
) => Effect.Effect<ReadonlySet<string>, unknown>

export interface JobExecutorService {
  /** Stored in `jobs.executor`, so a restarted orchestrator finds its own attempts. */
  readonly name: string
  /**
   * Whether attempts keep running when the orchestrator stops (Kubernetes Jobs do). Such
   * attempts stay `dispatched` or `running` when the orchestrator is interrupted and are
   * resumed by the next leader; the others are queued again.
   */
  readonly attemptsSurviveRestart: boolean
  /** Runs the attempt to its end. Interrupting the effect stops tracking it. */
  readonly run: (job: JobRecord, events: AttemptEvents) => Effect.Effect<AttemptOutcome>
  /**
   * Continues tracking an attempt that a previous orchestrator process started. None means
   * the attempt cannot have survived (a local process dies with its orchestrator), so the job
   * is queued again.
   */
  readonly resume: (
    job: JobRecord,
    events: AttemptEvents
  ) => Option.Option<Effect.Effect<AttemptOutcome>>
  /** Ends an attempt for good, for a cancel or a stall; it must not run on afterwards. */
  readonly stop: (job: JobRecord) => Effect.Effect<void>
  /** Lets go of what the executor kept of an attempt once its outcome is stored. */
  readonly release: (job: JobRecord) => Effect.Effect<void>
  /**
   * Finds attempts the executor still holds whose rows moved on (cancelled, finished, deleted)
   * and ends and releases them.
   */
  readonly reconcile: (activeAttempts: ActiveAttemptsLookup) => Effect.Effect<void>
}

export class JobExecutor extends Context.Tag("@videoag/orchestrator/JobExecutor")<
  JobExecutor,
  JobExecutorService
>() {}

/** Key of one attempt in `ActiveAttemptsLookup` results. */
export const attemptKey = (id: JobId | number, attempt: number) => `${id}:${attempt}`
