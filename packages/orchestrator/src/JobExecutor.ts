/**
 * The executor runs one attempt of a job somewhere (a local child process, a Kubernetes Job)
 * through the worker protocol and reports its outcome. The orchestrator stores what it reports.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { JobError, WorkerProgress } from "@videoag/domain"
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

export interface JobExecutorService {
  /** Stored in `jobs.executor`, so a restarted orchestrator finds its own attempts. */
  readonly name: string
  /** Runs the attempt to its end. Interrupting the effect stops the attempt. */
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
}

export class JobExecutor extends Context.Tag("@videoag/orchestrator/JobExecutor")<
  JobExecutor,
  JobExecutorService
>() {}
