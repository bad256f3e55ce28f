/**
 * Settings of the Kubernetes executor, from the environment: where the API server is, which
 * namespace and worker image to use, the media volume, per-type resources, and the timings of
 * tracking.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Os from "node:os"
import { findJobType, jobTypes, type JobResources } from "@videoag/domain"

export interface KubernetesSettings {
  /**
   * API server URL. None loads the usual configuration: `KUBECONFIG` or `~/.kube/config`, or
   * the pod's service account inside the cluster.
   */
  readonly apiServer: Option.Option<string>
  /** Bearer token for `apiServer`. */
  readonly token: Option.Option<Redacted.Redacted>
  readonly namespace: string
  readonly workerImage: string
  readonly imagePullPolicy: "Always" | "IfNotPresent" | "Never"
  /** The init process and its arguments; the worker command follows. */
  readonly initCommand: ReadonlyArray<string>
  /** Program and leading arguments of the worker CLI in the image; `run <type>` follows. */
  readonly workerCommand: ReadonlyArray<string>
  /** User and group id the worker runs as. */
  readonly workerUserId: number
  readonly mediaClaimName: string
  readonly mediaMountPath: string
  /** How long a finished Job stays before Kubernetes deletes it. */
  readonly ttlAfterFinished: Duration.Duration
  /** Overrides of the catalogue's resources, by job type name. */
  readonly resources: ReadonlyMap<string, JobResources>
  /** How long a pod may fail to pull its image before the attempt fails. */
  readonly imagePullGracePeriod: Duration.Duration
  /** A watch that delivers nothing for this long is replaced by a fresh list and watch. */
  readonly watchQuietTimeout: Duration.Duration
  /** Interval of full re-lists besides the watch. */
  readonly relistInterval: Duration.Duration
  /** How often the progress of a running worker is read from its log. */
  readonly progressPollInterval: Duration.Duration
  /** Lines of the worker's log kept with a finished attempt. */
  readonly logTailLines: number
  /** Name of this orchestrator instance, written on the Jobs it creates. */
  readonly instanceName: string
}

export class KubernetesConfig extends Context.Tag("@videoag/orchestrator/KubernetesConfig")<
  KubernetesConfig,
  KubernetesSettings
>() {}

const Quantities = Schema.Struct({
  cpu: Schema.optional(Schema.String.pipe(Schema.pattern(/^[0-9]+(\.[0-9]+)?m?$/))),
  memory: Schema.optional(
    Schema.String.pipe(Schema.pattern(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/))
  )
})

const ResourcesJson = Schema.parseJson(
  Schema.Record({
    key: Schema.String,
    value: Schema.Struct({
      requests: Schema.optionalWith(Quantities, { default: () => ({}) }),
      limits: Schema.optionalWith(Quantities, { default: () => ({}) })
    })
  })
)

const resourcesName = "VIDEOAG_KUBERNETES_RESOURCES"

/** Parses per-type resources, e.g. `{"media.transcode": {"requests": {"cpu": "2"}, "limits": {"memory": "4Gi"}}}`. */
export const parseResources = (json: string) =>
  Either.flatMap(
    Either.mapLeft(
      Schema.decodeUnknownEither(ResourcesJson)(json),
      (error) =>
        `Expected a JSON object from job type to {"requests": {"cpu", "memory"}, "limits": {"cpu", "memory"}} with Kubernetes quantities such as "500m" or "2Gi": ${ParseResult.TreeFormatter.formatErrorSync(error)}`
    ),
    (record) => {
      const unknown = Object.keys(record).filter((name) => Option.isNone(findJobType(name)))
      return unknown.length > 0
        ? Either.left(
            `Unknown job type ${unknown.map((name) => JSON.stringify(name)).join(", ")}; known types: ${jobTypes.map((type) => type.name).join(", ")}`
          )
        : Either.right(new Map(Object.entries(record)) as ReadonlyMap<string, JobResources>)
    }
  )

const positiveDuration = (name: string, fallback: Duration.DurationInput) =>
  Config.duration(name).pipe(
    Config.validate({
      message: "Expected a positive duration such as 30 seconds",
      validation: (value: Duration.Duration) => Duration.greaterThan(value, Duration.zero)
    }),
    Config.withDefault(Duration.decode(fallback))
  )

const nonEmpty = (name: string, fallback?: string) => {
  const base = Config.string(name).pipe(
    Config.validate({ message: "Expected a non-empty value", validation: (value) => value !== "" })
  )
  return fallback === undefined ? base : Config.withDefault(base, fallback)
}

export const settingsConfig: Config.Config<KubernetesSettings> = Config.all({
  apiServer: Config.option(
    Config.string("VIDEOAG_KUBERNETES_API_SERVER").pipe(
      Config.validate({
        message: "Expected an http:// or https:// URL of the Kubernetes API server",
        validation: (value) => /^https?:\/\/[^/]+/.test(value)
      })
    )
  ),
  token: Config.option(Config.redacted("VIDEOAG_KUBERNETES_TOKEN")),
  namespace: nonEmpty("VIDEOAG_KUBERNETES_NAMESPACE", "videoag"),
  workerImage: nonEmpty("VIDEOAG_WORKERS_IMAGE"),
  imagePullPolicy: Config.literal(
    "Always",
    "IfNotPresent",
    "Never"
  )("VIDEOAG_WORKER_IMAGE_PULL_POLICY").pipe(Config.withDefault("IfNotPresent" as const)),
  initCommand: Config.array(Config.string(), "VIDEOAG_WORKER_INIT_COMMAND").pipe(
    Config.withDefault(["/usr/bin/tini", "--"])
  ),
  workerCommand: Config.array(Config.string(), "VIDEOAG_KUBERNETES_WORKER_COMMAND").pipe(
    Config.withDefault(["node", "--import", "tsx", "/code/packages/workers/src/main.ts"])
  ),
  workerUserId: Config.integer("VIDEOAG_WORKER_USER_ID").pipe(
    Config.validate({
      message: "Expected a user id from 1 to 2147483647 (workers never run as root)",
      validation: (value) => value >= 1 && value <= 2147483647
    }),
    Config.withDefault(1000)
  ),
  mediaClaimName: nonEmpty("VIDEOAG_MEDIA_VOLUME_CLAIM", "videoag-media"),
  mediaMountPath: nonEmpty("VIDEOAG_WORKER_MEDIA_ROOT", "/media"),
  ttlAfterFinished: positiveDuration("VIDEOAG_KUBERNETES_JOB_TTL", "1 day"),
  resources: Config.string(resourcesName).pipe(
    Config.mapOrFail((json) =>
      Either.mapLeft(parseResources(json), (message) =>
        ConfigError.InvalidData([resourcesName], message)
      )
    ),
    Config.withDefault(new Map<string, JobResources>() as ReadonlyMap<string, JobResources>)
  ),
  imagePullGracePeriod: positiveDuration("VIDEOAG_IMAGE_PULL_GRACE_PERIOD", "2 minutes"),
  watchQuietTimeout: positiveDuration("VIDEOAG_KUBERNETES_WATCH_QUIET_TIMEOUT", "2 minutes"),
  relistInterval: positiveDuration("VIDEOAG_KUBERNETES_RELIST_INTERVAL", "5 minutes"),
  progressPollInterval: positiveDuration("VIDEOAG_KUBERNETES_PROGRESS_POLL_INTERVAL", "5 seconds"),
  logTailLines: Config.integer("VIDEOAG_LOG_TAIL_LINES").pipe(
    Config.validate({
      message: "Expected an integer from 1 to 1000",
      validation: (value) => value >= 1 && value <= 1000
    }),
    Config.withDefault(50)
  ),
  instanceName: Config.string("VIDEOAG_INSTANCE_NAME").pipe(
    Config.withDefault(`${Os.hostname()}-${process.pid}`)
  )
})

export const layer = Layer.effect(KubernetesConfig, settingsConfig)

export const layerWith = (settings: KubernetesSettings) => Layer.succeed(KubernetesConfig, settings)
