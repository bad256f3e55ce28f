/**
 * Settings of the orchestrator, from the environment.
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"

export interface OrchestratorSettings {
  /** Most attempts running at the same time. */
  readonly concurrency: number
  /** Claim interval when no notification arrives; covers a lost LISTEN connection. */
  readonly pollInterval: Duration.Duration
  /** Delay before the first retry; each further retry doubles it, up to `retryMaxDelay`. */
  readonly retryBaseDelay: Duration.Duration
  readonly retryMaxDelay: Duration.Duration
  /** Least time between two progress writes of one job. */
  readonly progressInterval: Duration.Duration
}

export class OrchestratorConfig extends Context.Tag("@videoag/orchestrator/OrchestratorConfig")<
  OrchestratorConfig,
  OrchestratorSettings
>() {}

const positiveDuration = (name: string, fallback: Duration.DurationInput) =>
  Config.duration(name).pipe(
    Config.validate({
      message: "Expected a positive duration such as 5 seconds",
      validation: (value: Duration.Duration) => Duration.greaterThan(value, Duration.zero)
    }),
    Config.withDefault(Duration.decode(fallback))
  )

export const settingsConfig: Config.Config<OrchestratorSettings> = Config.all({
  concurrency: Config.integer("VIDEOAG_ORCHESTRATOR_CONCURRENCY").pipe(
    Config.validate({
      message: "Expected an integer from 1 to 1000",
      validation: (value) => value >= 1 && value <= 1000
    }),
    Config.withDefault(2)
  ),
  pollInterval: positiveDuration("VIDEOAG_ORCHESTRATOR_POLL_INTERVAL", "5 seconds"),
  retryBaseDelay: positiveDuration("VIDEOAG_RETRY_BASE_DELAY", "10 seconds"),
  retryMaxDelay: positiveDuration("VIDEOAG_RETRY_MAX_DELAY", "10 minutes"),
  progressInterval: positiveDuration("VIDEOAG_PROGRESS_INTERVAL", "1 second")
})

export const layer = Layer.effect(OrchestratorConfig, settingsConfig)

export const layerWith = (settings: OrchestratorSettings) =>
  Layer.succeed(OrchestratorConfig, settings)
