/**
 * Shared pieces of the orchestrator tests: settings with short intervals, the fake Kubernetes
 * API as a layer, a valid `media.probe` output for fake pods, and waiting for a job row.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { MediaProbe, type JobId, type MediaProbeOutput } from "@videoag/domain"
import { JobRepository, type JobRecord } from "@videoag/domain/sql"
import type { KubernetesSettings } from "../../src/kubernetes/KubernetesConfig.js"
import type { OrchestratorSettings } from "../../src/OrchestratorConfig.js"
import { FakeKubernetes, type FakeKubernetesOptions } from "./FakeKubernetes.js"

export const probeOutput: MediaProbeOutput = {
  formatName: "mov,mp4,m4a,3gp,3g2,mj2",
  durationSeconds: 12.5,
  sizeBytes: 123_456,
  modifiedAt: "2026-10-14T08:15:00.000Z",
  bitRate: 800_000,
  video: null,
  audio: { codec: "aac", channels: 2, sampleRate: 48_000 },
  audioStreamCount: 1
}

export const orchestratorSettings = (
  overrides: Partial<OrchestratorSettings> = {}
): OrchestratorSettings => ({
  concurrency: 20,
  pollInterval: Duration.millis(200),
  retryBaseDelay: Duration.millis(20),
  retryMaxDelay: Duration.millis(100),
  progressInterval: Duration.millis(10),
  leaderRetryInterval: Duration.millis(100),
  leaderCheckInterval: Duration.millis(500),
  reconcileInterval: Duration.seconds(2),
  scheduleInterval: Duration.seconds(1),
  ...overrides
})

export const kubernetesSettings = (
  apiServer: string,
  overrides: Partial<KubernetesSettings> = {}
): KubernetesSettings => ({
  apiServer: Option.some(apiServer),
  token: Option.none(),
  namespace: "videoag",
  workerImage: "registry.example.org/videoag/production_worker:test",
  imagePullPolicy: "IfNotPresent",
  initCommand: ["/usr/bin/tini", "--"],
  workerCommand: ["node", "/code/packages/workers/src/main.ts"],
  workerUserId: 1000,
  mediaClaimName: "videoag-media",
  mediaMountPath: "/media",
  ttlAfterFinished: Duration.hours(1),
  resources: new Map(),
  imagePullGracePeriod: Duration.millis(300),
  watchQuietTimeout: Duration.seconds(5),
  relistInterval: Duration.seconds(10),
  progressPollInterval: Duration.millis(100),
  logTailLines: 20,
  instanceName: "orchestrator-test",
  ...overrides
})

export class Fake extends Context.Tag("test/FakeKubernetes")<Fake, FakeKubernetes>() {}

/** A fake API server for the lifetime of the layer. */
export const fakeLayer = (options: FakeKubernetesOptions) =>
  Layer.scoped(
    Fake,
    Effect.acquireRelease(
      Effect.promise(() => new FakeKubernetes(options).start()),
      (fake) => Effect.promise(() => fake.close())
    )
  )

/** Enqueues a probe; fake scripts read the source path to decide the pod's course. */
export const enqueueProbe = (sourcePath: string, options: { readonly maxAttempts?: number } = {}) =>
  Effect.flatMap(JobRepository, (jobs) =>
    jobs.enqueue({ type: MediaProbe, input: { sourcePath }, ...options })
  )

/**
 * Polls the job row until `done` holds, failing after `timeout` of real time. It waits with
 * timers of its own, so it works the same under `TestClock`.
 */
export const awaitJob = (
  id: JobId,
  done: (job: JobRecord) => boolean,
  timeout: Duration.DurationInput = Duration.seconds(20)
) =>
  Effect.gen(function* () {
    const jobs = yield* JobRepository
    const deadline = Date.now() + Duration.toMillis(Duration.decode(timeout))
    while (true) {
      const job = Option.getOrThrow(yield* jobs.findById(id))
      if (done(job)) return job
      if (Date.now() > deadline) {
        return yield* Effect.fail(
          new Error(
            `Job ${id} did not reach the expected state within ${Duration.format(Duration.decode(timeout))}; it is ${job.status}`
          )
        )
      }
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
    }
  })

/** True for the statuses a job ends in. */
export const isFinal = (job: JobRecord) =>
  job.status === "succeeded" || job.status === "failed" || job.status === "cancelled"
