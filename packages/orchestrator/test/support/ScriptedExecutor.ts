/**
 * A job executor for tests of the orchestrator's own logic: each attempt's outcome comes from
 * a script, optionally after a sleep on the Effect clock, so `TestClock` drives the time.
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { JobRecord } from "@videoag/domain/sql"
import { AttemptOutcome, JobExecutor } from "../../src/JobExecutor.js"

export type Script = (job: JobRecord) => {
  readonly outcome: AttemptOutcome | "never"
  readonly after?: Duration.DurationInput
}

export const layer = (script: Script) =>
  Layer.succeed(
    JobExecutor,
    JobExecutor.of({
      name: "scripted",
      attemptsSurviveRestart: false,
      run: (job, events) =>
        Effect.gen(function* () {
          yield* events.started(`scripted:${job.id}`)
          const step = script(job)
          if (step.after !== undefined) yield* Effect.sleep(step.after)
          if (step.outcome === "never") return yield* Effect.never
          return step.outcome
        }),
      resume: () => Option.none(),
      stop: () => Effect.void,
      release: () => Effect.void,
      reconcile: () => Effect.void
    })
  )

export const succeeded = (output: unknown) => AttemptOutcome.Succeeded({ output, logTail: null })
