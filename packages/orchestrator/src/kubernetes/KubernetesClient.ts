/**
 * The Kubernetes API calls the executor makes, as effects over `@kubernetes/client-node`.
 * Answers 429 (after its Retry-After), 5xx and dropped connections are retried with a backoff;
 * other errors fail with a `KubernetesError` that names the operation and the status.
 */
import * as k8s from "@kubernetes/client-node"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { KubernetesConfig, type KubernetesSettings } from "./KubernetesConfig.js"
import { containerName, managedSelector, outcomeFinalizer } from "./JobManifest.js"
import { KubeJob, KubePod, Status, type WatchEvent } from "./KubernetesObjects.js"

export class KubernetesError extends Data.TaggedError("KubernetesError")<{
  readonly operation: string
  /** HTTP status, or null when no answer arrived. */
  readonly status: number | null
  /** The Status reason such as `AlreadyExists`, when the API server sent one. */
  readonly reason: string | null
  readonly message: string
  /** Seconds the server asked to wait (429). */
  readonly retryAfterSeconds: number | null
  readonly cause?: unknown
}> {}

/** Whether a retry of the same request can succeed: throttling, server errors, no answer. */
export const isRetryable = (error: KubernetesError) =>
  error.status === null || error.status === 429 || error.status >= 500

export interface ListResult<A> {
  readonly items: ReadonlyArray<A>
  readonly resourceVersion: string
}

export type ResourceKind = "jobs" | "pods"

export interface KubernetesClientService {
  /** Creates a Job; returns none when a Job of that name exists already (409). */
  readonly createJob: (manifest: object) => Effect.Effect<Option.Option<KubeJob>, KubernetesError>
  /** Deletes a Job and lets its pods be removed in the background; a missing Job is fine. */
  readonly deleteJob: (name: string) => Effect.Effect<void, KubernetesError>
  readonly listJobs: (labelSelector?: string) => Effect.Effect<ListResult<KubeJob>, KubernetesError>
  readonly listPods: (labelSelector?: string) => Effect.Effect<ListResult<KubePod>, KubernetesError>
  /** Removes the orchestrator's finalizer from a pod, if it still has it. */
  readonly releasePod: (name: string) => Effect.Effect<void, KubernetesError>
  /** The last lines of the worker container's log, or none when the pod or log is gone. */
  readonly readLog: (
    podName: string,
    options: { readonly tailLines?: number; readonly limitBytes?: number }
  ) => Effect.Effect<Option.Option<string>, KubernetesError>
  /** Watch events of one kind from `resourceVersion` on, for the managed objects. */
  readonly watch: (
    kind: ResourceKind,
    resourceVersion: string
  ) => Stream.Stream<WatchEvent, KubernetesError>
}

export class KubernetesClient extends Context.Tag("@videoag/orchestrator/KubernetesClient")<
  KubernetesClient,
  KubernetesClientService
>() {}

const parseBody = (body: unknown): typeof Status.Type | null => {
  const value = typeof body === "string" ? safeJson(body) : body
  return Option.getOrNull(Schema.decodeUnknownOption(Status)(value))
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

/** Turns what the client threw into a `KubernetesError`. */
export const toKubernetesError = (operation: string, cause: unknown): KubernetesError => {
  if (cause instanceof k8s.ApiException) {
    const status = parseBody(cause.body)
    const headers = (cause.headers ?? {}) as Record<string, string | undefined>
    const retryAfter = Number(headers["retry-after"] ?? headers["Retry-After"])
    return new KubernetesError({
      operation,
      status: cause.code,
      reason: status?.reason ?? null,
      message: `${operation} failed with HTTP ${cause.code}${status?.reason ? ` ${status.reason}` : ""}: ${status?.message ?? "no details"}`,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
      cause
    })
  }
  const statusCode =
    typeof cause === "object" && cause !== null && "statusCode" in cause
      ? Number(cause.statusCode)
      : null
  const text = cause instanceof Error ? cause.message : String(cause)
  return new KubernetesError({
    operation,
    status: statusCode !== null && Number.isFinite(statusCode) ? statusCode : null,
    reason: null,
    message: `${operation} failed: ${text}`,
    retryAfterSeconds: null,
    cause
  })
}

const maxRetries = 8

/** Runs a request, retrying throttled, failed and unanswered ones with a capped backoff. */
export const withRetries = <A>(
  operation: string,
  call: () => Promise<A>
): Effect.Effect<A, KubernetesError> => {
  const attempt = (retry: number): Effect.Effect<A, KubernetesError> =>
    Effect.tryPromise({ try: call, catch: (cause) => toKubernetesError(operation, cause) }).pipe(
      Effect.catchAll((error) => {
        if (!isRetryable(error) || retry >= maxRetries) return Effect.fail(error)
        const backoff = Math.min(200 * 2 ** retry, 5000)
        const delay =
          error.retryAfterSeconds !== null ? Math.max(error.retryAfterSeconds * 1000, 100) : backoff
        return Effect.logDebug("Kubernetes request failed; retrying").pipe(
          Effect.annotateLogs({ operation, status: error.status, delayMillis: delay }),
          Effect.zipRight(Effect.sleep(Duration.millis(delay))),
          Effect.zipRight(attempt(retry + 1))
        )
      })
    )
  return attempt(0)
}

const toPlain = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null))

const decodeJob = Schema.decodeUnknown(KubeJob)
const decodePod = Schema.decodeUnknown(KubePod)

const decodeWith =
  <A>(operation: string, decode: (value: unknown) => Effect.Effect<A, unknown>) =>
  (value: unknown) =>
    decode(toPlain(value)).pipe(
      Effect.mapError(
        (cause) =>
          new KubernetesError({
            operation,
            status: null,
            reason: null,
            message: `${operation} returned an object the orchestrator cannot read`,
            retryAfterSeconds: null,
            cause
          })
      )
    )

/** A `KubeConfig` for the settings: the given server, or the usual lookup. */
export const kubeConfigOf = (settings: KubernetesSettings) => {
  const config = new k8s.KubeConfig()
  if (Option.isSome(settings.apiServer)) {
    const server = settings.apiServer.value
    config.loadFromOptions({
      clusters: [{ name: "videoag", server, skipTLSVerify: server.startsWith("http://") }],
      users: [
        {
          name: "videoag",
          ...(Option.isSome(settings.token) ? { token: Redacted.value(settings.token.value) } : {})
        }
      ],
      contexts: [
        { name: "videoag", cluster: "videoag", user: "videoag", namespace: settings.namespace }
      ],
      currentContext: "videoag"
    })
  } else {
    config.loadFromDefault()
  }
  return config
}

export const make = Effect.gen(function* () {
  const settings = yield* KubernetesConfig
  const config = kubeConfigOf(settings)
  const batch = config.makeApiClient(k8s.BatchV1Api)
  const core = config.makeApiClient(k8s.CoreV1Api)
  const watcher = new k8s.Watch(config)
  const namespace = settings.namespace

  const createJob = (manifest: object) =>
    withRetries("Create Job", () =>
      batch.createNamespacedJob({ namespace, body: manifest as k8s.V1Job })
    ).pipe(
      Effect.flatMap(decodeWith("Create Job", decodeJob)),
      Effect.map(Option.some),
      Effect.catchIf(
        (error) => error.status === 409,
        () => Effect.succeed(Option.none<KubeJob>())
      ),
      Effect.withSpan("KubernetesClient.createJob")
    )

  const deleteJob = (name: string) =>
    withRetries("Delete Job", () =>
      batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Background" })
    ).pipe(
      Effect.asVoid,
      Effect.catchIf(
        (error) => error.status === 404,
        () => Effect.void
      ),
      Effect.withSpan("KubernetesClient.deleteJob")
    )

  const list = <A>(
    operation: string,
    call: () => Promise<{ items: ReadonlyArray<unknown>; metadata?: { resourceVersion?: string } }>,
    decode: (value: unknown) => Effect.Effect<A, unknown>
  ) =>
    Effect.flatMap(withRetries(operation, call), (result) =>
      Effect.map(
        Effect.forEach(result.items, decodeWith(operation, decode)),
        (items): ListResult<A> => ({
          items,
          resourceVersion: result.metadata?.resourceVersion ?? "0"
        })
      )
    )

  const listJobs = (labelSelector = managedSelector) =>
    list("List Jobs", () => batch.listNamespacedJob({ namespace, labelSelector }), decodeJob).pipe(
      Effect.withSpan("KubernetesClient.listJobs")
    )

  const listPods = (labelSelector = managedSelector) =>
    list("List pods", () => core.listNamespacedPod({ namespace, labelSelector }), decodePod).pipe(
      Effect.withSpan("KubernetesClient.listPods")
    )

  const readPod = (name: string) =>
    withRetries("Read pod", () => core.readNamespacedPod({ name, namespace })).pipe(
      Effect.flatMap(decodeWith("Read pod", decodePod)),
      Effect.map(Option.some),
      Effect.catchIf(
        (error) => error.status === 404,
        () => Effect.succeed(Option.none<KubePod>())
      )
    )

  // A JSON patch that tests the finalizer's position before removing it, so a concurrent
  // change of the list (the Job controller drops its own finalizer) is never overwritten.
  const releasePod = (name: string): Effect.Effect<void, KubernetesError> =>
    Effect.gen(function* () {
      for (let round = 0; round < 5; round++) {
        const pod = yield* readPod(name)
        if (Option.isNone(pod)) return
        const index = (pod.value.metadata.finalizers ?? []).indexOf(outcomeFinalizer)
        if (index < 0) return
        const path = `/metadata/finalizers/${index}`
        const patched = yield* withRetries("Remove pod finalizer", () =>
          core.patchNamespacedPod({
            name,
            namespace,
            body: [
              { op: "test", path, value: outcomeFinalizer },
              { op: "remove", path }
            ]
          })
        ).pipe(
          Effect.as(true),
          Effect.catchIf(
            (error) => error.status === 404,
            () => Effect.succeed(true)
          ),
          Effect.catchIf(
            (error) => error.status === 422 || error.status === 409,
            () => Effect.succeed(false)
          )
        )
        if (patched) return
      }
      return yield* new KubernetesError({
        operation: "Remove pod finalizer",
        status: 409,
        reason: "Conflict",
        message: `The finalizers of pod ${name} kept changing; the finalizer was not removed`,
        retryAfterSeconds: null
      })
    }).pipe(Effect.withSpan("KubernetesClient.releasePod"))

  const readLog = (
    podName: string,
    options: { readonly tailLines?: number; readonly limitBytes?: number }
  ) =>
    withRetries("Read pod log", () =>
      core.readNamespacedPodLog({
        name: podName,
        namespace,
        container: containerName,
        ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
        ...(options.limitBytes !== undefined ? { limitBytes: options.limitBytes } : {})
      })
    ).pipe(
      Effect.map((text) => Option.some(String(text))),
      Effect.catchIf(
        (error) => error.status === 400 || error.status === 404,
        () => Effect.succeed(Option.none<string>())
      ),
      Effect.withSpan("KubernetesClient.readLog")
    )

  const watch = (kind: ResourceKind, resourceVersion: string) =>
    Stream.async<WatchEvent, KubernetesError>((emit) => {
      const path =
        kind === "jobs"
          ? `/apis/batch/v1/namespaces/${namespace}/jobs`
          : `/api/v1/namespaces/${namespace}/pods`
      let controller: AbortController | undefined
      let ended = false
      watcher
        .watch(
          path,
          { labelSelector: managedSelector, resourceVersion, allowWatchBookmarks: true },
          (type: string, object: unknown) => {
            if (!ended) void emit.single({ type, object })
          },
          (error: unknown) => {
            if (ended) return
            ended = true
            if (error === null || error === undefined) void emit.end()
            else void emit.fail(toKubernetesError(`Watch ${kind}`, error))
          }
        )
        .then((abort) => {
          controller = abort
          if (ended) abort.abort()
        })
        .catch((cause: unknown) => {
          if (ended) return
          ended = true
          void emit.fail(toKubernetesError(`Watch ${kind}`, cause))
        })
      return Effect.sync(() => {
        ended = true
        controller?.abort()
      })
    })

  return KubernetesClient.of({
    createJob,
    deleteJob,
    listJobs,
    listPods,
    releasePod,
    readLog,
    watch
  })
})

export const layer = Layer.effect(KubernetesClient, make)
