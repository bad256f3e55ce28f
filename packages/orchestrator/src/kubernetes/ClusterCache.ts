/**
 * A local copy of the managed Jobs and pods, kept by one list-then-watch loop per kind. A loop
 * lists, watches from the list's resourceVersion, and lists again when the watch ends for any
 * reason (410 Gone as a status or an ERROR event, a quiet or dropped connection) and every
 * re-list interval besides. Readers look at the state as last seen, so an event the watch lost
 * shows up with the next list.
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { attemptOfLabels, jobName } from "./JobManifest.js"
import { KubernetesClient, type ResourceKind } from "./KubernetesClient.js"
import { KubernetesConfig } from "./KubernetesConfig.js"
import { KubeJob, KubePod, Status, type KubeObject, type WatchEvent } from "./KubernetesObjects.js"

/** What the cache holds for one attempt, by the name of its Job. */
export interface AttemptView {
  readonly job: KubeJob | undefined
  readonly pods: ReadonlyArray<KubePod>
  /** Count of changes seen for this name; pass it to `changed` to wait for the next one. */
  readonly version: number
}

class WatchEnded extends Schema.TaggedError<WatchEnded>()("WatchEnded", {
  reason: Schema.String
}) {}

const decodeJob = Schema.decodeUnknownEither(KubeJob)
const decodePod = Schema.decodeUnknownEither(KubePod)
const decodeStatus = Schema.decodeUnknownOption(Status)

/** Name of the Job an object belongs to: its own name for a Job, from the labels for a pod. */
const ownerName = (kind: ResourceKind, object: KubeObject) =>
  kind === "jobs"
    ? object.metadata.name
    : Option.getOrNull(
        Option.map(attemptOfLabels(object.metadata.labels), ({ attempt, id }) =>
          jobName(id, attempt)
        )
      )

export const make = Effect.gen(function* () {
  const client = yield* KubernetesClient
  const settings = yield* KubernetesConfig
  const objects: Record<ResourceKind, Map<string, KubeObject>> = {
    jobs: new Map(),
    pods: new Map()
  }
  const waiters = new Map<string, Deferred.Deferred<void>>()
  const versions = new Map<string, number>()
  const jobsSynced = yield* Deferred.make<void>()
  const podsSynced = yield* Deferred.make<void>()

  const notify = (names: Iterable<string | null>) =>
    Effect.forEach(
      [...new Set(names)],
      (name) => {
        if (name === null) return Effect.void
        versions.set(name, (versions.get(name) ?? 0) + 1)
        const waiter = waiters.get(name)
        if (waiter === undefined) return Effect.void
        waiters.delete(name)
        return Deferred.succeed(waiter, undefined)
      },
      { discard: true }
    )

  const upsert = (kind: ResourceKind, object: KubeObject) => {
    objects[kind].set(object.metadata.name, object)
    return notify([ownerName(kind, object)])
  }

  const remove = (kind: ResourceKind, object: KubeObject) => {
    objects[kind].delete(object.metadata.name)
    return notify([ownerName(kind, object)])
  }

  const replaceAll = (kind: ResourceKind, items: ReadonlyArray<KubeObject>) => {
    const previous = objects[kind]
    const next = new Map(items.map((item) => [item.metadata.name, item]))
    const changed: Array<string | null> = []
    for (const [name, object] of previous) {
      const now = next.get(name)
      if (now === undefined || now.metadata.resourceVersion !== object.metadata.resourceVersion) {
        changed.push(ownerName(kind, object))
      }
    }
    for (const [name, object] of next) {
      if (!previous.has(name)) changed.push(ownerName(kind, object))
    }
    objects[kind] = next
    return notify(changed)
  }

  const decode = (kind: ResourceKind, object: unknown) =>
    kind === "jobs"
      ? Either.getRight(decodeJob(object))
      : Either.getRight(decodePod(object) as Either.Either<KubeObject, unknown>)

  const apply = (kind: ResourceKind, event: WatchEvent): Effect.Effect<void, WatchEnded> => {
    switch (event.type) {
      case "ADDED":
      case "MODIFIED":
      case "DELETED": {
        const object = decode(kind, event.object)
        if (Option.isNone(object)) {
          return Effect.logWarning("Ignored a watch event the orchestrator cannot read").pipe(
            Effect.annotateLogs({ kind, eventType: event.type })
          )
        }
        return event.type === "DELETED" ? remove(kind, object.value) : upsert(kind, object.value)
      }
      case "BOOKMARK":
        return Effect.void
      case "ERROR": {
        const status = decodeStatus(event.object)
        const code = Option.getOrUndefined(Option.flatMapNullable(status, (value) => value.code))
        return new WatchEnded({
          reason:
            code === 410
              ? "410 Gone: the resourceVersion is too old"
              : `ERROR event ${code ?? ""}: ${Option.getOrUndefined(Option.flatMapNullable(status, (value) => value.message)) ?? "no message"}`
        })
      }
      default:
        return Effect.void
    }
  }

  const list = (kind: ResourceKind) =>
    kind === "jobs"
      ? (client.listJobs() as Effect.Effect<
          { items: ReadonlyArray<KubeObject>; resourceVersion: string },
          unknown
        >)
      : client.listPods()

  /** One round: list, then watch until the watch ends or the re-list interval passes. */
  const round = (kind: ResourceKind) =>
    Effect.gen(function* () {
      const listed = yield* list(kind)
      yield* replaceAll(kind, listed.items)
      yield* Deferred.succeed(kind === "jobs" ? jobsSynced : podsSynced, undefined)
      const watched = yield* client.watch(kind, listed.resourceVersion).pipe(
        Stream.timeout(settings.watchQuietTimeout),
        Stream.runForEach((event) => apply(kind, event)),
        Effect.as("the watch ended or stayed quiet"),
        Effect.catchTag("WatchEnded", (ended) => Effect.succeed(ended.reason)),
        Effect.catchTag("KubernetesError", (error) => Effect.succeed(error.message)),
        Effect.raceFirst(Effect.as(Effect.sleep(settings.relistInterval), "periodic re-list"))
      )
      yield* Effect.logDebug("Listing again").pipe(Effect.annotateLogs({ kind, reason: watched }))
    })

  const loop = (kind: ResourceKind) =>
    round(kind).pipe(
      Effect.catchAllCause((cause) =>
        Effect.zipRight(
          Effect.logWarning("Listing Kubernetes objects failed; trying again", cause),
          Effect.sleep(Duration.seconds(1))
        )
      ),
      Effect.forever,
      Effect.annotateLogs({ loop: "ClusterCache", kind })
    )

  yield* Effect.forkScoped(loop("jobs"))
  yield* Effect.forkScoped(loop("pods"))

  const podsOf = (name: string) =>
    [...objects.pods.values()].filter((pod) => ownerName("pods", pod) === name) as Array<KubePod>

  return {
    /** Completes once both kinds have been listed. */
    synced: Effect.zipRight(Deferred.await(jobsSynced), Deferred.await(podsSynced)),
    view: (name: string): AttemptView => ({
      job: objects.jobs.get(name) as KubeJob | undefined,
      pods: podsOf(name),
      version: versions.get(name) ?? 0
    }),
    /** Completes once the Job or pods of `name` changed after the view of `version`. */
    changed: (name: string, version: number) =>
      Effect.suspend(() => {
        if ((versions.get(name) ?? 0) !== version) return Effect.void
        const existing = waiters.get(name)
        if (existing !== undefined) return Deferred.await(existing)
        return Effect.flatMap(Deferred.make<void>(), (waiter) => {
          waiters.set(name, waiter)
          return Deferred.await(waiter)
        })
      }),
    /** Records a Job the orchestrator just created, before its watch event arrives. */
    seedJob: (job: KubeJob) =>
      objects.jobs.has(job.metadata.name) ? Effect.void : upsert("jobs", job)
  } as const
})

export type ClusterCache = Effect.Effect.Success<typeof make>
