/**
 * Moderators steer jobs through the queue's own operations: a cancel reaches the orchestrator,
 * and a retry keeps counting attempts, so no Kubernetes Job name is used twice.
 */
import { describe, expect, it } from "@effect/vitest"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestServices from "effect/TestServices"
import type { JobId } from "@videoag/domain"
import { jobCancelsChannel, JobRepository } from "@videoag/domain/sql"
import * as TestServer from "./TestServer.js"

const moderatorRequest = (method: string, path: string, body?: unknown) =>
  Effect.gen(function* () {
    const cookies = yield* TestServer.login()
    return yield* TestServer.request(method, path, {
      caller: { cookies, headers: { "x-videoag-csrf": "1", "content-type": "application/json" } },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
  })

const enqueueProbe = Effect.gen(function* () {
  const response = yield* moderatorRequest("POST", "/jobs", {
    type: "media.probe",
    input: { sourcePath: "lectures/a.mp4" }
  })
  expect(response.status, response.text).toBe(201)
  return (response.json as { id: JobId }).id
})

describe("job control", () => {
  it.layer(JobRepository.Default.pipe(Layer.provideMerge(TestServer.layer())), { timeout: 60_000 })(
    (it) => {
      it.effect("a retry keeps counting attempts", () =>
        Effect.gen(function* () {
          const jobs = yield* JobRepository
          const id = yield* enqueueProbe
          const [claimed] = yield* jobs.claim({ limit: 1, executor: "test", typeSlots: new Map() })
          expect(claimed?.id).toBe(id)
          const error = { code: "not_media", message: "not media", retryable: false }
          yield* jobs.fail(id, claimed!.attempt, error, null, Option.none())

          const retried = yield* moderatorRequest("POST", `/jobs/${id}/retry`)
          expect(retried.status, retried.text).toBe(200)
          expect(retried.json).toMatchObject({ status: "queued", attempt: 1, maxAttempts: 4 })
          const [again] = yield* jobs.claim({ limit: 1, executor: "test", typeSlots: new Map() })
          expect(again?.attempt).toBe(2)
        })
      )

      it.effect("a cancel of a running job notifies the orchestrator", () =>
        TestServices.provideLive(
          Effect.gen(function* () {
            const jobs = yield* JobRepository
            const sql = yield* PgClient.PgClient
            const id = yield* enqueueProbe
            const [claimed] = yield* jobs.claim({
              limit: 10,
              executor: "test",
              typeSlots: new Map()
            })
            yield* jobs.markRunning(id, claimed!.attempt, "local:1")
            const notified = yield* sql
              .listen(jobCancelsChannel)
              .pipe(Stream.take(1), Stream.runCollect, Effect.fork)
            yield* Effect.sleep("200 millis")

            const cancelled = yield* moderatorRequest("POST", `/jobs/${id}/cancel`)
            expect(cancelled.status, cancelled.text).toBe(200)
            expect(cancelled.json).toMatchObject({ status: "cancelled" })
            const payloads = yield* Fiber.join(notified).pipe(Effect.timeout("5 seconds"))
            expect([...payloads]).toEqual([String(id)])
            expect(yield* jobs.markRunning(id, claimed!.attempt, "local:1")).toBe(false)
          })
        )
      )
    }
  )
})
