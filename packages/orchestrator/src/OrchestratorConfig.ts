/**
 * Settings of the orchestrator, from the environment.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { defaultStallTimeout, findJobType, jobTypes } from "@videoag/domain"

/** Limits of one job type that override its catalogue entry. */
export interface TypeLimits {
  readonly concurrency?: number
  readonly stallTimeout?: Duration.Duration
}

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
  /** How often a standby tries to become the leader. */
  readonly leaderRetryInterval?: Duration.Duration
  /** How often the leader checks the connection that holds its lock. */
  readonly leaderCheckInterval?: Duration.Duration
  /** How often the leader compares the executor's attempts with the active rows. */
  readonly reconcileInterval?: Duration.Duration
  /** Maximum sleep of the schedule loop, so new schedules are seen within this time. */
  readonly scheduleInterval?: Duration.Duration
  /** Overrides of the catalogue's per-type limits, by job type name. */
  readonly typeLimits?: ReadonlyMap<string, TypeLimits>
}

export class OrchestratorConfig extends Context.Tag("@videoag/orchestrator/OrchestratorConfig")<
  OrchestratorConfig,
  OrchestratorSettings
>() {}

/** Most attempts of `typeName` running at once, or none for no per-type limit. */
export const typeConcurrency = (settings: OrchestratorSettings, typeName: string) =>
  Option.orElse(Option.fromNullable(settings.typeLimits?.get(typeName)?.concurrency), () =>
    Option.flatMapNullable(findJobType(typeName), (type) => type.concurrency)
  )

/** Time without progress after which an attempt of `typeName` is failed as stalled. */
export const stallTimeoutOf = (settings: OrchestratorSettings, typeName: string) =>
  settings.typeLimits?.get(typeName)?.stallTimeout ??
  Option.getOrElse(
    Option.flatMapNullable(findJobType(typeName), (type) => type.stallTimeout),
    () => defaultStallTimeout
  )

const positiveDuration = (name: string, fallback: Duration.DurationInput) =>
  Config.duration(name).pipe(
    Config.validate({
      message: "Expected a positive duration such as 5 seconds",
      validation: (value: Duration.Duration) => Duration.greaterThan(value, Duration.zero)
    }),
    Config.withDefault(Duration.decode(fallback))
  )

const TypeLimitsJson = Schema.parseJson(
  Schema.Record({
    key: Schema.String,
    value: Schema.Struct({
      concurrency: Schema.optional(Schema.Int.pipe(Schema.between(1, 1000))),
      stallTimeoutSeconds: Schema.optional(Schema.Number.pipe(Schema.positive()))
    })
  })
)

const typeLimitsName = "VIDEOAG_ORCHESTRATOR_TYPE_LIMITS"

/** Parses the per-type limits, e.g. `{"media.transcode": {"concurrency": 2, "stallTimeoutSeconds": 900}}`. */
export const parseTypeLimits = (json: string) =>
  Either.flatMap(
    Either.mapLeft(
      Schema.decodeUnknownEither(TypeLimitsJson)(json),
      (error) =>
        `Expected a JSON object from job type to {"concurrency": integer, "stallTimeoutSeconds": number}: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
    ),
    (record) => {
      const unknown = Object.keys(record).filter((name) => Option.isNone(findJobType(name)))
      if (unknown.length > 0) {
        return Either.left(
          `Unknown job type ${unknown.map((name) => JSON.stringify(name)).join(", ")}; known types: ${jobTypes.map((type) => type.name).join(", ")}`
        )
      }
      return Either.right(
        new Map(
          Object.entries(record).map(([name, limits]): [string, TypeLimits] => [
            name,
            {
              ...(limits.concurrency !== undefined ? { concurrency: limits.concurrency } : {}),
              ...(limits.stallTimeoutSeconds !== undefined
                ? { stallTimeout: Duration.seconds(limits.stallTimeoutSeconds) }
                : {})
            }
          ])
        ) as ReadonlyMap<string, TypeLimits>
      )
    }
  )

const typeLimitsConfig = Config.string(typeLimitsName).pipe(
  Config.mapOrFail((json) =>
    Either.mapLeft(parseTypeLimits(json), (message) =>
      ConfigError.InvalidData([typeLimitsName], message)
    )
  ),
  Config.withDefault(new Map<string, TypeLimits>() as ReadonlyMap<string, TypeLimits>)
)

export const settingsConfig: Config.Config<Required<OrchestratorSettings>> = Config.all({
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
  progressInterval: positiveDuration("VIDEOAG_PROGRESS_INTERVAL", "1 second"),
  leaderRetryInterval: positiveDuration("VIDEOAG_LEADER_RETRY_INTERVAL", "2 seconds"),
  leaderCheckInterval: positiveDuration("VIDEOAG_LEADER_CHECK_INTERVAL", "5 seconds"),
  reconcileInterval: positiveDuration("VIDEOAG_RECONCILE_INTERVAL", "1 minute"),
  scheduleInterval: positiveDuration("VIDEOAG_SCHEDULE_INTERVAL", "30 seconds"),
  typeLimits: typeLimitsConfig
})

export const layer = Layer.effect(OrchestratorConfig, settingsConfig)

export const layerWith = (settings: OrchestratorSettings) =>
  Layer.succeed(OrchestratorConfig, settings)
