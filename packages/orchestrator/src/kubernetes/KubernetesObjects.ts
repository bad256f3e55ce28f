/**
 * The parts of Kubernetes Jobs, pods and watch events the orchestrator reads, decoded from the
 * API's JSON. Unknown fields are ignored; timestamps stay RFC 3339 strings.
 */
import * as Schema from "effect/Schema"

const Timestamp = Schema.String

export const ObjectMeta = Schema.Struct({
  name: Schema.String,
  namespace: Schema.optional(Schema.String),
  uid: Schema.optional(Schema.String),
  resourceVersion: Schema.optional(Schema.String),
  labels: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  annotations: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  finalizers: Schema.optional(Schema.Array(Schema.String)),
  creationTimestamp: Schema.optional(Timestamp),
  deletionTimestamp: Schema.optional(Timestamp),
  deletionGracePeriodSeconds: Schema.optional(Schema.Number)
})

export const Condition = Schema.Struct({
  type: Schema.String,
  status: Schema.String,
  reason: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String),
  lastTransitionTime: Schema.optional(Timestamp)
})
export type Condition = typeof Condition.Type

export const KubeJob = Schema.Struct({
  metadata: ObjectMeta,
  status: Schema.optional(
    Schema.Struct({
      active: Schema.optional(Schema.Number),
      succeeded: Schema.optional(Schema.Number),
      failed: Schema.optional(Schema.Number),
      conditions: Schema.optional(Schema.Array(Condition))
    })
  )
})
export type KubeJob = typeof KubeJob.Type

export const ContainerState = Schema.Struct({
  waiting: Schema.optional(
    Schema.Struct({
      reason: Schema.optional(Schema.String),
      message: Schema.optional(Schema.String)
    })
  ),
  running: Schema.optional(Schema.Struct({ startedAt: Schema.optional(Timestamp) })),
  terminated: Schema.optional(
    Schema.Struct({
      exitCode: Schema.Number,
      signal: Schema.optional(Schema.Number),
      reason: Schema.optional(Schema.String),
      message: Schema.optional(Schema.String),
      finishedAt: Schema.optional(Timestamp)
    })
  )
})
export type ContainerState = typeof ContainerState.Type

export const KubePod = Schema.Struct({
  metadata: ObjectMeta,
  spec: Schema.optional(
    Schema.Struct({ terminationGracePeriodSeconds: Schema.optional(Schema.Number) })
  ),
  status: Schema.optional(
    Schema.Struct({
      phase: Schema.optional(Schema.String),
      reason: Schema.optional(Schema.String),
      message: Schema.optional(Schema.String),
      conditions: Schema.optional(Schema.Array(Condition)),
      containerStatuses: Schema.optional(
        Schema.Array(
          Schema.Struct({
            name: Schema.String,
            state: Schema.optional(ContainerState),
            lastState: Schema.optional(ContainerState)
          })
        )
      )
    })
  )
})
export type KubePod = typeof KubePod.Type

/** An object of either kind, as the store keeps them. */
export type KubeObject = KubeJob | KubePod

/** A watch event; `object` is a Status for `ERROR` events. */
export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR" | string
  readonly object: unknown
}

export const Status = Schema.Struct({
  kind: Schema.optional(Schema.String),
  code: Schema.optional(Schema.Number),
  reason: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String)
})
