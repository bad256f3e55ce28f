/**
 * The stop deadline of the long-running processes. On SIGTERM or SIGINT, `NodeRuntime.runMain`
 * interrupts the main fiber and the layers stop in reverse order: the HTTP server stops accepting
 * connections and waits for the requests in flight, the orchestrator stops claiming jobs, and
 * the database pool closes last. `withDeadline` bounds that wait, so the process exits before
 * Kubernetes kills it at the end of its termination grace period.
 */
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"

/** Exit code of a process that did not stop within its deadline. */
export const deadlineExitCode = 1

/**
 * Setting for the longest time stopping may take. Keep it below the pod's
 * `terminationGracePeriodSeconds` (30 seconds by default).
 */
export const timeoutConfig = Config.duration("VIDEOAG_SHUTDOWN_TIMEOUT").pipe(
  Config.validate({
    message: "Expected a positive duration such as 25 seconds",
    validation: (value: Duration.Duration) => Duration.greaterThan(value, Duration.zero)
  }),
  Config.withDefault(Duration.seconds(25))
)

/**
 * A layer whose finalizer starts the deadline: once stopping has taken `timeout`, the process
 * logs the fact and exits with `deadlineExitCode`, whatever is still running.
 */
export const deadline = (timeout: Duration.DurationInput) =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const runtime = yield* Effect.runtime<never>()
      const limit = Duration.decode(timeout)
      yield* Effect.addFinalizer(() =>
        Effect.gen(function* () {
          yield* Effect.logInfo(
            "Stopping: no new work is accepted, work in progress may finish"
          ).pipe(Effect.annotateLogs({ deadline: Duration.format(limit) }))
          const timer = setTimeout(() => {
            Runtime.runSync(runtime)(
              Effect.logError(`Did not stop within ${Duration.format(limit)}; exiting now`)
            )
            process.exit(deadlineExitCode)
          }, Duration.toMillis(limit))
          // The timer must not keep a process alive that has finished stopping.
          timer.unref()
        })
      )
    })
  )

/** `deadline` with its timeout from `VIDEOAG_SHUTDOWN_TIMEOUT` (default 25 seconds). */
export const layerConfig = Layer.unwrapEffect(Effect.map(timeoutConfig, deadline))

/**
 * Builds `layer` first and the deadline after it, so that when the program stops, the deadline
 * starts before any of `layer`'s finalizers run.
 */
export const withDeadline = <A, E, R>(layer: Layer.Layer<A, E, R>) =>
  Layer.provide(layerConfig, layer)
