import { expect, layer } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { TestDatabase } from "@videoag/domain/testing"
import { JobRepository } from "@videoag/domain/sql"
import * as KubernetesExecutor from "../src/kubernetes/KubernetesExecutor.js"
import { outcomeFinalizer } from "../src/kubernetes/JobManifest.js"
import * as Orchestrator from "../src/Orchestrator.js"
import * as OrchestratorConfig from "../src/OrchestratorConfig.js"
import { inputOf, type Json, type PodScript } from "./support/FakeKubernetes.js"
import {
  awaitJob,
  enqueueProbe,
  Fake,
  fakeLayer,
  isFinal,
  kubernetesSettings,
  orchestratorSettings,
  probeOutput
} from "./support/Harness.js"

/** The course of each pod, by the source path of the probe. */
const script = (job: Json): PodScript => {
  const path: string = inputOf(job)?.["sourcePath"]
  const attempt = Number(job.metadata.labels["jobs.videoag/attempt"])
  if (path.startsWith("ok"))
    return { kind: "succeed", output: probeOutput, progress: [10, 60, 100] }
  if (path.startsWith("crash"))
    return { kind: "exit", exitCode: 1, logLines: ["reading input", "Segmentation fault"] }
  if (path.startsWith("rejected")) {
    return {
      kind: "exit",
      exitCode: 3,
      error: {
        code: "no_media_streams",
        message: "The file contains no video or audio stream",
        retryable: false
      }
    }
  }
  if (path.startsWith("oom")) return { kind: "oomKilled" }
  if (path.startsWith("pull")) return { kind: "imagePullStuck" }
  if (path.startsWith("evicted"))
    return attempt === 1 ? { kind: "evicted" } : { kind: "succeed", output: probeOutput }
  if (path.startsWith("preempted"))
    return attempt === 1 ? { kind: "preempted" } : { kind: "succeed", output: probeOutput }
  if (path.startsWith("deadline")) return { kind: "deadlineExceeded" }
  if (path.startsWith("pending")) return { kind: "pending" }
  if (path.startsWith("forever")) return { kind: "runForever", progress: [5] }
  return { kind: "succeed", output: probeOutput }
}

const TestLive = Layer.unwrapEffect(
  Effect.map(Fake, (fake) =>
    Orchestrator.layer.pipe(
      Layer.provide(KubernetesExecutor.layer(kubernetesSettings(fake.url))),
      Layer.provide(OrchestratorConfig.layerWith(orchestratorSettings()))
    )
  )
).pipe(
  Layer.provideMerge(fakeLayer({ script })),
  Layer.provideMerge(JobRepository.Default),
  Layer.provideMerge(TestDatabase.layer),
  Layer.provideMerge(NodeContext.layer)
)

layer(TestLive, { excludeTestServices: true, timeout: Duration.seconds(60) })(
  "KubernetesExecutor",
  (it) => {
    it.effect("runs a job as one Kubernetes Job and stores its output", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        const job = yield* enqueueProbe("ok-lecture.mp4")
        const done = yield* awaitJob(job.id, isFinal)
        expect(done.status).toBe("succeeded")
        expect(done.output).toEqual(probeOutput)
        expect(done.executorRef).toBe(`videoag-job-${job.id}-1`)
        expect(done.progress?.percent).toBe(100)
        expect(done.logTail).toBe("worker: done")
        expect(fake.creates.get(`videoag-job-${job.id}-1`)).toBe(1)

        const kubeJob = fake.jobs.get(`videoag-job-${job.id}-1`)
        expect(kubeJob?.spec.backoffLimit).toBe(0)
        expect(kubeJob?.spec.activeDeadlineSeconds).toBe(600)
        expect(kubeJob?.spec.ttlSecondsAfterFinished).toBe(3600)
        expect(kubeJob?.metadata.labels["jobs.videoag/job-id"]).toBe(String(job.id))
        const container = kubeJob?.spec.template.spec.containers[0]
        expect(container.command.slice(0, 2)).toEqual(["/usr/bin/tini", "--"])
        expect(container.args).toEqual(["run", "media.probe"])
        expect(container.resources).toEqual({
          requests: { cpu: "100m", memory: "128Mi" },
          limits: { memory: "512Mi" }
        })
        expect(container.volumeMounts).toEqual([{ name: "media", mountPath: "/media" }])
        expect(kubeJob?.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(
          "videoag-media"
        )
        expect(inputOf(kubeJob!)).toEqual({ sourcePath: "ok-lecture.mp4" })

        yield* Effect.sleep(Duration.millis(300))
        const pods = fake.podsOf(`videoag-job-${job.id}-1`)
        expect(pods.every((pod) => !pod.metadata.finalizers.includes(outcomeFinalizer))).toBe(true)
      })
    )

    const failures: ReadonlyArray<[string, string, string, boolean]> = [
      ["crash.mp4", "worker_exited", "Segmentation fault", true],
      ["rejected.mp4", "no_media_streams", "no video or audio", false],
      ["oom.mp4", "out_of_memory", "OOMKilled", false],
      ["pull.mp4", "image_pull_failed", "ErrImagePull", true],
      ["deadline.mp4", "deadline_exceeded", "activeDeadlineSeconds", false]
    ]
    for (const [path, code, text, retryable] of failures) {
      it.effect(`fails ${code} with its reason`, () =>
        Effect.gen(function* () {
          const job = yield* enqueueProbe(path, { maxAttempts: 1 })
          const done = yield* awaitJob(job.id, isFinal, Duration.seconds(10))
          expect(done.status).toBe("failed")
          expect(done.error?.code).toBe(code)
          expect(done.error?.message).toContain(text)
          expect(done.error?.retryable).toBe(retryable)
        })
      )
    }

    it.effect("adopts a Job whose create answer was lost", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        fake.failNext({ method: "POST", path: /jobs$/, drop: true, count: 1 })
        fake.failNext({
          method: "POST",
          path: /jobs$/,
          status: 429,
          retryAfterSeconds: 0,
          count: 1
        })
        const job = yield* enqueueProbe("ok-dropped.mp4")
        const done = yield* awaitJob(job.id, isFinal)
        const name = `videoag-job-${job.id}-1`
        expect(done.status).toBe("succeeded")
        expect(fake.creates.get(name)).toBe(1)
        expect(
          fake.createRequests
            .filter((request) => request.name === name)
            .map((request) => request.status)
        ).toEqual([0, 409])
      })
    )

    it.effect("stores the log tail of a crashed worker", () =>
      Effect.gen(function* () {
        const job = yield* enqueueProbe("crash-tail.mp4", { maxAttempts: 1 })
        const done = yield* awaitJob(job.id, isFinal)
        expect(done.logTail).toBe("reading input\nSegmentation fault")
      })
    )

    for (const path of ["evicted.mp4", "preempted.mp4"]) {
      it.effect(`retries a ${path.replace(".mp4", "")} pod`, () =>
        Effect.gen(function* () {
          const fake = yield* Fake
          const job = yield* enqueueProbe(path)
          const done = yield* awaitJob(job.id, isFinal)
          expect(done.status).toBe("succeeded")
          expect(done.attempt).toBe(2)
          expect(fake.creates.get(`videoag-job-${job.id}-1`)).toBe(1)
          expect(fake.creates.get(`videoag-job-${job.id}-2`)).toBe(1)
        })
      )
    }

    it.effect("fails a pod deleted while pending", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        const job = yield* enqueueProbe("pending.mp4", { maxAttempts: 1 })
        const name = `videoag-job-${job.id}-1`
        yield* Effect.promise(async () => {
          while (fake.podsOf(name).length === 0)
            await new Promise((resolve) => setTimeout(resolve, 20))
        })
        fake.deletePod(fake.podsOf(name)[0]!.metadata.name)
        const done = yield* awaitJob(job.id, isFinal, Duration.seconds(10))
        expect(done.status).toBe("failed")
        expect(done.error?.code).toBe("pod_deleted")
        expect(done.error?.message).toContain("pending")
      })
    )

    it.effect("cancel deletes the Kubernetes Job", () =>
      Effect.gen(function* () {
        const fake = yield* Fake
        const jobs = yield* JobRepository
        const job = yield* enqueueProbe("forever.mp4")
        const running = yield* awaitJob(job.id, (row) => row.progress?.percent === 5)
        expect(running.status).toBe("running")
        yield* jobs.cancel(job.id)
        const name = `videoag-job-${job.id}-1`
        yield* Effect.promise(async () => {
          for (let i = 0; i < 200 && !fake.deletedJobs.includes(name); i++) {
            await new Promise((resolve) => setTimeout(resolve, 25))
          }
        })
        expect(fake.deletedJobs).toContain(name)
        const done = yield* awaitJob(job.id, isFinal)
        expect(done.status).toBe("cancelled")
        yield* Effect.sleep(Duration.millis(300))
        expect(fake.podsOf(name)).toEqual([])
      })
    )
  }
)
