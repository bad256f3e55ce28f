import { describe, expect, it } from "@effect/vitest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { MediaProbe } from "@videoag/domain"
import { Database, JobRepository, Migrations } from "@videoag/domain/sql"
import { TestDatabase } from "@videoag/domain/testing"
import { FakeKubernetes, inputOf, type Json, type PodScript } from "./support/FakeKubernetes.js"
import { probeOutput } from "./support/Harness.js"
import {
  kill,
  sleep,
  startOrchestrator,
  type OrchestratorProcess
} from "./support/OrchestratorProcess.js"

const indexOf = (sourcePath: string) => Number(/(\d+)\.mp4$/.exec(sourcePath)?.[1])

/** Every tenth job fails its first attempt with a temporary error; every 25th is unusable media. */
const script = (job: Json): PodScript => {
  const index = indexOf(String(inputOf(job)?.["sourcePath"]))
  const attempt = Number(job.metadata.labels["jobs.videoag/attempt"])
  const runMillis = Math.floor(Math.random() * 40)
  if (index % 25 === 1) {
    return {
      kind: "exit",
      exitCode: 3,
      runMillis,
      error: { code: "no_media_streams", message: "not media", retryable: false }
    }
  }
  if (index % 10 === 0 && attempt === 1) {
    return {
      kind: "exit",
      exitCode: 75,
      runMillis,
      error: { code: "disk_full", message: "no space left", retryable: true }
    }
  }
  return { kind: "succeed", output: { ...probeOutput, sizeBytes: index }, runMillis }
}

const withDatabase = <A, E>(
  use: (url: string) => Effect.Effect<A, E, SqlClient.SqlClient | JobRepository>
) =>
  Effect.gen(function* () {
    const url = yield* TestDatabase.createDatabase
    const DatabaseLive = Layer.provideMerge(
      Layer.effectDiscard(TestDatabase.disableSeededSchedules),
      Layer.provideMerge(
        Migrations.layer.pipe(Layer.provide(NodeContext.layer)),
        Database.layer({ url, applicationName: "crash-test" })
      )
    )
    return yield* use(Redacted.value(url)).pipe(
      Effect.provide(Layer.provideMerge(JobRepository.Default, DatabaseLive))
    )
  })

const withFake = <A, E, R>(use: (fake: FakeKubernetes) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.promise(() => new FakeKubernetes({ script }).start()),
    use,
    (fake) => Effect.promise(() => fake.close())
  )

const statusCounts = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    sql<{
      status: string
      count: number
    }>`SELECT status, count(*)::int AS count FROM jobs GROUP BY status`
)

const awaitAllFinal = (total: number, timeoutMillis: number) =>
  Effect.gen(function* () {
    const started = Date.now()
    while (Date.now() - started < timeoutMillis) {
      const counts = yield* statusCounts
      const final = counts
        .filter((row) => ["succeeded", "failed", "cancelled"].includes(row.status))
        .reduce((sum, row) => sum + row.count, 0)
      if (final === total) return counts
      yield* Effect.promise(() => sleep(200))
    }
    return yield* Effect.die(
      new Error(
        `Not all ${total} jobs finished within ${timeoutMillis} ms: ${JSON.stringify(yield* statusCounts)}`
      )
    )
  })

const stopAll = (processes: ReadonlyArray<OrchestratorProcess>) =>
  Effect.promise(() => Promise.all(processes.map((process) => kill(process))))

describe("Orchestrator crashes", () => {
  it.scopedLive(
    "500 jobs survive ten SIGKILLs",
    () =>
      withDatabase((databaseUrl) =>
        withFake((fake) =>
          Effect.gen(function* () {
            const jobs = yield* JobRepository
            const sql = yield* SqlClient.SqlClient
            for (let index = 1; index <= 500; index++) {
              yield* jobs.enqueue({
                type: MediaProbe,
                input: { sourcePath: `lecture-${index}.mp4` }
              })
            }
            const started: Array<OrchestratorProcess> = []
            for (let kills = 0; kills < 10; kills++) {
              const orchestrator = startOrchestrator({
                name: `orchestrator-${kills}`,
                databaseUrl,
                apiServer: fake.url
              })
              started.push(orchestrator)
              yield* Effect.promise(() => orchestrator.leading)
              yield* Effect.promise(() => sleep(100 + Math.random() * 700))
              yield* Effect.promise(() => kill(orchestrator))
            }
            const last = startOrchestrator({
              name: "orchestrator-final",
              databaseUrl,
              apiServer: fake.url
            })
            started.push(last)
            const counts = yield* awaitAllFinal(500, 120_000).pipe(Effect.ensuring(stopAll([last])))

            expect(counts.map((row) => row.status).sort()).toEqual(["failed", "succeeded"])
            const rows = yield* sql<{
              id: number
              status: string
              attempt: number
              input: { sourcePath: string }
              output: { sizeBytes: number } | null
              error: { code: string } | null
            }>`
              SELECT id, status, attempt, input, output, error FROM jobs ORDER BY id
            `
            expect(rows).toHaveLength(500)
            expect([...fake.creates.values()].every((count) => count === 1)).toBe(true)

            for (const row of rows) {
              const index = indexOf(row.input.sourcePath)
              const created = [...fake.creates.keys()].filter((name) =>
                name.startsWith(`videoag-job-${row.id}-`)
              )
              const attempts = created
                .map((name) => Number(name.split("-").at(-1)))
                .sort((a, b) => a - b)
              expect(attempts).toEqual(Array.from({ length: row.attempt }, (_, i) => i + 1))
              if (index % 25 === 1) {
                expect(row.status).toBe("failed")
                expect(row.error?.code).toBe("no_media_streams")
              } else {
                expect(row.status).toBe("succeeded")
                expect(row.output?.sizeBytes).toBe(index)
                // An attempt that succeeded is always the last one: no succeeded job ran again.
                const succeededAttempts = attempts.filter(
                  (attempt) => fake.exitCodes.get(`videoag-job-${row.id}-${attempt}`) === 0
                )
                expect(succeededAttempts).toEqual([row.attempt])
              }
            }
          })
        )
      ),
    240_000
  )

  it.scopedLive(
    "only the leader dispatches and a standby takes over",
    () =>
      withDatabase((databaseUrl) =>
        withFake((fake) =>
          Effect.gen(function* () {
            const jobs = yield* JobRepository
            const first = startOrchestrator({
              name: "orchestrator-a",
              databaseUrl,
              apiServer: fake.url
            })
            yield* Effect.promise(() => first.leading)
            const second = startOrchestrator({
              name: "orchestrator-b",
              databaseUrl,
              apiServer: fake.url
            })
            for (
              let waited = 0;
              waited < 30_000 && !second.output().includes("standing by");
              waited += 100
            ) {
              yield* Effect.promise(() => sleep(100))
            }
            expect(second.output()).toContain("standing by")

            for (let index = 1; index <= 20; index++) {
              yield* jobs.enqueue({ type: MediaProbe, input: { sourcePath: `first-${index}.mp4` } })
            }
            yield* awaitAllFinal(20, 30_000)
            const creators = () =>
              [...fake.jobs.values()].map(
                (job) => job.metadata.annotations["jobs.videoag/created-by"]
              )
            expect(new Set(creators())).toEqual(new Set(["orchestrator-a"]))

            const killedAt = Date.now()
            yield* Effect.promise(() => kill(first))
            yield* Effect.promise(() => second.leading)
            const handover = Date.now() - killedAt
            expect(handover).toBeLessThan(10_000)

            for (let index = 1; index <= 20; index++) {
              yield* jobs.enqueue({
                type: MediaProbe,
                input: { sourcePath: `second-${index}.mp4` }
              })
            }
            yield* awaitAllFinal(40, 30_000).pipe(Effect.ensuring(stopAll([second])))
            const second20 = [...fake.jobs.values()].filter((job) =>
              String(inputOf(job)?.["sourcePath"]).startsWith("second-")
            )
            // second-10 and second-20 fail their first attempt, so they have two Jobs each.
            expect(second20).toHaveLength(22)
            expect(new Set(second20.map((job) => inputOf(job)?.["sourcePath"])).size).toBe(20)
            expect(
              new Set(second20.map((job) => job.metadata.annotations["jobs.videoag/created-by"]))
            ).toEqual(new Set(["orchestrator-b"]))
          })
        )
      ),
    120_000
  )
})
