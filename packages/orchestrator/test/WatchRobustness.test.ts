import { expect, layer } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { JobRepository } from "@videoag/domain/sql"
import { TestDatabase } from "@videoag/domain/testing"
import * as KubernetesExecutor from "../src/kubernetes/KubernetesExecutor.js"
import * as Orchestrator from "../src/Orchestrator.js"
import * as OrchestratorConfig from "../src/OrchestratorConfig.js"
import type { FakeKubernetes } from "./support/FakeKubernetes.js"
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

const TestLive = Layer.unwrapEffect(
  Effect.map(Fake, (fake) =>
    Orchestrator.layer.pipe(
      Layer.provide(
        KubernetesExecutor.layer(
          kubernetesSettings(fake.url, {
            watchQuietTimeout: Duration.millis(500),
            relistInterval: Duration.seconds(2)
          })
        )
      ),
      Layer.provide(OrchestratorConfig.layerWith(orchestratorSettings()))
    )
  )
).pipe(
  Layer.provideMerge(
    fakeLayer({
      script: () => ({
        kind: "succeed",
        output: probeOutput,
        runMillis: Math.floor(Math.random() * 200)
      }),
      historyLimit: 50
    })
  ),
  Layer.provideMerge(JobRepository.Default),
  Layer.provideMerge(TestDatabase.layer),
  Layer.provideMerge(NodeContext.layer)
)

/** Runs 20 jobs while `disturb` acts on the fake, then checks that each succeeded once. */
const runThrough = (prefix: string, disturb: (fake: FakeKubernetes) => () => void) =>
  Effect.gen(function* () {
    const fake = yield* Fake
    const stop = disturb(fake)
    const jobs = []
    for (let index = 0; index < 20; index++)
      jobs.push(yield* enqueueProbe(`${prefix}-${index}.mp4`))
    const done = yield* Effect.forEach(
      jobs,
      (job) => awaitJob(job.id, isFinal, Duration.seconds(15)),
      {
        concurrency: "unbounded"
      }
    ).pipe(Effect.ensuring(Effect.sync(stop)))
    expect(done.map((job) => job.status)).toEqual(jobs.map(() => "succeeded"))
    expect(done.map((job) => job.attempt)).toEqual(jobs.map(() => 1))
    for (const job of jobs) expect(fake.creates.get(`videoag-job-${job.id}-1`)).toBe(1)
  })

layer(TestLive, { excludeTestServices: true, timeout: Duration.seconds(60) })(
  "ClusterCache",
  (it) => {
    it.effect("410 Gone as ERROR events loses no event", () =>
      runThrough("expired", (fake) => {
        const timer = setInterval(() => fake.expireWatches(), 150)
        return () => clearInterval(timer)
      })
    )

    it.effect("410 Gone as HTTP status loses no event", () =>
      runThrough("gone", (fake) => {
        fake.refuseWatchesWithGone = true
        fake.dropWatches()
        return () => {
          fake.refuseWatchesWithGone = false
        }
      })
    )

    it.effect("a silent watch loses no event", () =>
      runThrough("silent", (fake) => {
        fake.silentWatches = true
        fake.dropWatches()
        return () => {
          fake.silentWatches = false
        }
      })
    )

    it.effect("a watch dropped every 300 ms loses no event", () =>
      runThrough("dropped", (fake) => {
        fake.dropWatchesEvery(300)
        return () => fake.stopDroppingWatches()
      })
    )

    it.effect("429 and 500 answers are retried", () =>
      runThrough("throttled", (fake) => {
        fake.failNext({ status: 429, retryAfterSeconds: 1, count: 3 })
        fake.failNext({ status: 500, count: 5 })
        fake.failNext({ status: 503, method: "PATCH", count: 3 })
        return () => undefined
      })
    )
  }
)
