import { describe, expect, it } from "@effect/vitest"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as TestServices from "effect/TestServices"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { MediaProbe } from "../src/JobTypes.js"
import { JobRepository, jobsChannel } from "../src/sql/JobRepository.js"
import { TestDatabase } from "../src/testing/index.js"

const QueueLive = Layer.provideMerge(JobRepository.Default, TestDatabase.layer)

const probe = (sourcePath: string, options: { priority?: number; dedupKey?: string } = {}) =>
  Effect.flatMap(JobRepository, (jobs) =>
    jobs.enqueue({ type: MediaProbe, input: { sourcePath }, ...options })
  )

describe("JobRepository", () => {
  it.layer(QueueLive, { timeout: 60_000 })((it) => {
    it.effect("concurrent claims never take the same job", () =>
      Effect.gen(function* () {
        const jobs = yield* JobRepository
        const sql = yield* PgClient.PgClient
        yield* sql`DELETE FROM jobs`
        yield* Effect.forEach(
          Array.from({ length: 40 }, (_, index) => `file-${index}.mp4`),
          (path) => probe(path),
          {
            discard: true
          }
        )
        const claims = yield* Effect.all(
          Array.from({ length: 8 }, () =>
            jobs.claim({ limit: 7, executor: "test", typeSlots: new Map() })
          ),
          { concurrency: "unbounded" }
        )
        const ids = claims.flat().map((job) => job.id)
        expect(ids).toHaveLength(40)
        expect(new Set(ids).size).toBe(40)
        const statuses = yield* sql<{
          status: string
          attempt: number
        }>`SELECT DISTINCT status, attempt FROM jobs`
        expect(statuses).toEqual([{ status: "dispatched", attempt: 1 }])
      })
    )

    it.effect("claims by priority, then age, and skips jobs not yet due", () =>
      Effect.gen(function* () {
        const jobs = yield* JobRepository
        const sql = yield* PgClient.PgClient
        yield* sql`DELETE FROM jobs`
        const low = yield* probe("low.mp4", { priority: -5 })
        const normal = yield* probe("normal.mp4")
        const urgent = yield* probe("urgent.mp4", { priority: 10 })
        const later = yield* probe("later.mp4", { priority: 100 })
        yield* sql`UPDATE jobs SET run_after = now() + interval '1 hour' WHERE id = ${later.id}`
        const claimed = yield* jobs.claim({ limit: 10, executor: "test", typeSlots: new Map() })
        expect(claimed.map((job) => job.id)).toEqual([urgent.id, normal.id, low.id])
      })
    )

    it.effect("writes after the claim are fenced on the attempt", () =>
      Effect.gen(function* () {
        const jobs = yield* JobRepository
        const sql = yield* PgClient.PgClient
        yield* sql`DELETE FROM jobs`
        yield* probe("fenced.mp4")
        const [claimed] = yield* jobs.claim({ limit: 1, executor: "test", typeSlots: new Map() })
        const job = claimed!
        expect(yield* jobs.markRunning(job.id, job.attempt + 1, "stale")).toBe(false)
        expect(yield* jobs.markRunning(job.id, job.attempt, "local:1")).toBe(true)
        const stale = yield* jobs.succeed(job.id, job.attempt - 1, { late: true }, null)
        expect(Option.isNone(stale)).toBe(true)
        const done = yield* jobs.succeed(job.id, job.attempt, { ok: true }, "tail")
        expect(Option.map(done, (record) => record.status)).toEqual(Option.some("succeeded"))
        const again = yield* jobs.fail(
          job.id,
          job.attempt,
          { code: "late", message: "late", retryable: true },
          null,
          Option.none()
        )
        expect(Option.isNone(again)).toBe(true)
        const stored = yield* jobs.findById(job.id)
        expect(Option.map(stored, (record) => [record.status, record.output])).toEqual(
          Option.some(["succeeded", { ok: true }])
        )
      })
    )

    it.effect("a failure is retried while attempts remain, then is final", () =>
      Effect.gen(function* () {
        const jobs = yield* JobRepository
        const sql = yield* PgClient.PgClient
        yield* sql`DELETE FROM jobs`
        const enqueued = yield* probe("flaky.mp4")
        const error = { code: "worker_killed", message: "killed", retryable: true }
        for (let attempt = 1; attempt <= enqueued.maxAttempts; attempt++) {
          const [claimed] = yield* jobs.claim({ limit: 1, executor: "test", typeSlots: new Map() })
          expect(claimed?.attempt).toBe(attempt)
          const stored = yield* jobs.fail(enqueued.id, attempt, error, null, Option.some(0))
          const expected = attempt < enqueued.maxAttempts ? "queued" : "failed"
          expect(Option.map(stored, (record) => record.status)).toEqual(Option.some(expected))
        }
        expect(yield* jobs.claim({ limit: 1, executor: "test", typeSlots: new Map() })).toEqual([])
      })
    )

    it.effect("an interrupted attempt goes back without counting", () =>
      Effect.gen(function* () {
        const jobs = yield* JobRepository
        const sql = yield* PgClient.PgClient
        yield* sql`DELETE FROM jobs`
        yield* probe("interrupted.mp4")
        const [claimed] = yield* jobs.claim({ limit: 1, executor: "test", typeSlots: new Map() })
        expect(yield* jobs.requeueInterrupted(claimed!.id, claimed!.attempt)).toBe(true)
        const [again] = yield* jobs.claim({ limit: 1, executor: "test", typeSlots: new Map() })
        expect(again?.id).toBe(claimed?.id)
        expect(again?.attempt).toBe(1)
      })
    )

    it.effect("a taken deduplication key returns the existing job", () =>
      Effect.gen(function* () {
        const first = yield* probe("dedup.mp4", { dedupKey: "probe:dedup" })
        const second = yield* probe("other.mp4", { dedupKey: "probe:dedup" })
        expect(second.id).toBe(first.id)
        expect(second.input).toEqual({ sourcePath: "dedup.mp4" })
      })
    )

    it.effect("enqueue notifies listeners only after its transaction commits", () =>
      TestServices.provideLive(
        Effect.gen(function* () {
          const sql = yield* PgClient.PgClient
          const received = yield* sql
            .listen(jobsChannel)
            .pipe(Stream.take(1), Stream.runCollect, Effect.fork)
          yield* Effect.sleep("200 millis")
          const rolledBack = yield* Effect.flip(
            Effect.zipRight(probe("rolled-back.mp4"), Effect.fail("abort" as const)).pipe(
              sql.withTransaction
            )
          )
          expect(rolledBack).toBe("abort")
          yield* Effect.sleep("300 millis")
          expect(Option.isNone(yield* Fiber.poll(received))).toBe(true)
          yield* probe("committed.mp4")
          const notifications = yield* Fiber.join(received).pipe(Effect.timeout("5 seconds"))
          expect([...notifications]).toEqual(["media.probe"])
        })
      )
    )
  })
})
