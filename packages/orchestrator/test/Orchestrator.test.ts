import { expect, layer } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import { MediaProbe, MediaTranscode } from "@videoag/domain"
import { JobRepository, JobScheduleRepository } from "@videoag/domain/sql"
import { TestDatabase } from "@videoag/domain/testing"
import { AttemptOutcome } from "../src/JobExecutor.js"
import * as Orchestrator from "../src/Orchestrator.js"
import * as OrchestratorConfig from "../src/OrchestratorConfig.js"
import { awaitJob, isFinal, orchestratorSettings, probeOutput } from "./support/Harness.js"
import * as ScriptedExecutor from "./support/ScriptedExecutor.js"
import { sleep } from "./support/OrchestratorProcess.js"

const script: ScriptedExecutor.Script = (job) => {
  const input = job.input as { sourcePath: string }
  if (input.sourcePath.startsWith("broken")) {
    return {
      outcome: AttemptOutcome.Failed({
        error: {
          code: "no_media_streams",
          message: "The file contains no media",
          retryable: false
        },
        logTail: null
      })
    }
  }
  if (input.sourcePath.startsWith("stall")) return { outcome: "never" }
  return {
    outcome: ScriptedExecutor.succeeded(
      job.type === MediaTranscode.name ? { files: [] } : probeOutput
    )
  }
}

const OrchestratorLive = Orchestrator.layer.pipe(
  Layer.provide(ScriptedExecutor.layer(script)),
  Layer.provide(
    OrchestratorConfig.layerWith(
      orchestratorSettings({
        scheduleInterval: Duration.minutes(10),
        typeLimits: new Map([["media.probe", { stallTimeout: Duration.minutes(5) }]])
      })
    )
  )
)

const DatabaseLive = Layer.mergeAll(JobRepository.Default, JobScheduleRepository.Default).pipe(
  Layer.provideMerge(TestDatabase.layer),
  Layer.provideMerge(NodeContext.layer)
)

/** Runs the orchestrator until the returned effect closes its scope. */
const startOrchestrator = Effect.gen(function* () {
  const scope = yield* Scope.make()
  yield* Layer.buildWithScope(OrchestratorLive, scope)
  return Scope.close(scope, Exit.void)
})

const realPause = (millis: number) => Effect.promise(() => sleep(millis))

layer(DatabaseLive, { excludeTestServices: true, timeout: Duration.seconds(120) })(
  "Orchestrator",
  (it) => {
    it.effect("a schedule every minute enqueues ten jobs across two restarts", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const schedules = yield* JobScheduleRepository
        const start = Date.parse("2026-11-02T09:00:00.000Z")
        yield* TestClock.setTime(start)
        const schedule = yield* schedules.create({
          name: "every minute",
          cron: "* * * * *",
          timeZone: "UTC",
          jobType: MediaProbe.name,
          input: { sourcePath: "scan.mp4" },
          startAfter: new Date(start)
        })
        const count = Effect.map(
          sql<{
            count: number
          }>`SELECT count(*)::int AS count FROM jobs WHERE schedule_id = ${schedule.id}`,
          (rows) => rows[0]?.count ?? 0
        )
        let now = start
        /** Moves the clock to `until` in 5-second steps, waiting for each due occurrence. */
        const advance = (until: number, running: boolean) =>
          Effect.gen(function* () {
            while (now < until) {
              now = Math.min(now + 5000, until)
              yield* TestClock.setTime(now)
              const expected = Math.floor((now - start) / 60_000)
              if (!running) continue
              for (let waited = 0; (yield* count) < expected; waited += 10) {
                if (waited > 10_000)
                  return yield* Effect.die(
                    new Error(`Expected ${expected} jobs at ${new Date(now).toISOString()}`)
                  )
                yield* realPause(10)
              }
            }
          })

        let stop = yield* startOrchestrator
        yield* advance(start + 3 * 60_000 + 50_000, true)
        yield* stop
        yield* advance(start + 4 * 60_000 + 20_000, false)
        expect(yield* count).toBe(3)
        stop = yield* startOrchestrator
        yield* advance(start + 7 * 60_000 + 30_000, true)
        yield* stop
        yield* advance(start + 7 * 60_000 + 40_000, false)
        stop = yield* startOrchestrator
        yield* advance(start + 10 * 60_000 + 5_000, true)
        yield* realPause(300)
        yield* stop

        const keys = yield* sql<{ dedupKey: string }>`
        SELECT dedup_key FROM jobs WHERE schedule_id = ${schedule.id} ORDER BY dedup_key
      `
        expect(keys.map((row) => row.dedupKey)).toEqual(
          Array.from(
            { length: 10 },
            (_, index) =>
              `schedule:${schedule.id}:${new Date(start + (index + 1) * 60_000).toISOString()}`
          )
        )
      }).pipe(Effect.provide(TestContext.TestContext))
    )

    it.effect("a child waits for its parents and reads their outputs", () =>
      Effect.gen(function* () {
        const jobs = yield* JobRepository
        const first = yield* jobs.enqueue({ type: MediaProbe, input: { sourcePath: "a.mp4" } })
        const second = yield* jobs.enqueue({ type: MediaProbe, input: { sourcePath: "b.mp4" } })
        const child = yield* jobs.enqueueWithDependencies({
          type: MediaTranscode,
          input: {
            outputDirectory: "published/x",
            fileNamePrefix: "x",
            renditions: [],
            audioProfile: null
          },
          dependsOn: [first.id, second.id],
          inputFromParents: { sourcePath: { jobId: second.id, pointer: "/formatName" } }
        })
        expect(child.status).toBe("waiting")
        const stop = yield* startOrchestrator
        const done = yield* awaitJob(child.id, isFinal)
        yield* stop
        expect(done.status).toBe("succeeded")
        expect((done.input as { sourcePath: string }).sourcePath).toBe(probeOutput.formatName)
        expect(yield* jobs.parentsOf(child.id)).toEqual([first.id, second.id])
      })
    )

    it.effect("dependants of a failed job fail with its reason", () =>
      Effect.gen(function* () {
        const jobs = yield* JobRepository
        const parent = yield* jobs.enqueue({
          type: MediaProbe,
          input: { sourcePath: "broken.mp4" },
          maxAttempts: 1
        })
        const child = yield* jobs.enqueueWithDependencies({
          type: MediaProbe,
          input: { sourcePath: "c.mp4" },
          dependsOn: [parent.id]
        })
        const grandchild = yield* jobs.enqueueWithDependencies({
          type: MediaProbe,
          input: { sourcePath: "d.mp4" },
          dependsOn: [child.id]
        })
        const stop = yield* startOrchestrator
        const done = yield* awaitJob(grandchild.id, isFinal)
        yield* stop
        expect(done.status).toBe("failed")
        expect(done.error?.code).toBe("dependency_failed")
        expect(done.error?.message).toContain("The file contains no media")
        const failedChild = yield* awaitJob(child.id, isFinal)
        expect(failedChild.error?.code).toBe("dependency_failed")
        const rejected = yield* Effect.flip(
          jobs.enqueueWithDependencies({
            type: MediaProbe,
            input: { sourcePath: "e.mp4" },
            dependsOn: [parent.id]
          })
        )
        expect(rejected.message).toContain("will never succeed")
      })
    )

    it.effect("an attempt without progress fails after the stall timeout", () =>
      Effect.gen(function* () {
        const jobs = yield* JobRepository
        const job = yield* jobs.enqueue({
          type: MediaProbe,
          input: { sourcePath: "stall.mp4" },
          maxAttempts: 1
        })
        const stop = yield* startOrchestrator
        yield* awaitJob(job.id, (row) => row.status === "running")
        yield* TestClock.adjust(Duration.minutes(4))
        yield* realPause(200)
        expect((yield* awaitJob(job.id, () => true)).status).toBe("running")
        yield* TestClock.adjust(Duration.minutes(2))
        const done = yield* awaitJob(job.id, isFinal)
        yield* stop
        expect(done.status).toBe("failed")
        expect(done.error?.code).toBe("stalled")
        expect(done.error?.message).toContain("5m")
      }).pipe(Effect.provide(TestContext.TestContext))
    )

    it.effect("cancel ends a queued job and retry queues it again", () =>
      Effect.gen(function* () {
        const jobs = yield* JobRepository
        const job = yield* jobs.enqueue({ type: MediaProbe, input: { sourcePath: "later.mp4" } })
        const cancelled = Option.getOrThrow(yield* jobs.cancel(job.id))
        expect(cancelled.job.status).toBe("cancelled")
        const again = Option.getOrThrow(yield* jobs.cancel(job.id))
        expect(again.changed).toBe(false)
        const retried = Option.getOrThrow(yield* jobs.retry(job.id))
        expect(retried.job.status).toBe("queued")
        const reprioritised = Option.getOrThrow(yield* jobs.setPriority(job.id, 7))
        expect(reprioritised.job.priority).toBe(7)
      })
    )
  }
)
