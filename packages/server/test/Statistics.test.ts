/**
 * Views count once per viewer, medium and day without storing addresses, and moderators read
 * them per medium, lecture and course.
 */
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Fixtures from "./Fixtures.js"
import * as TestServer from "./TestServer.js"

const view = (mediumId: number, forwardedFor: string, userAgent: string) =>
  TestServer.request("POST", `/media/${mediumId}/views`, {
    caller: { forwardedFor, headers: { "user-agent": userAgent } }
  })

describe("statistics", () => {
  it.layer(TestServer.layer())((it) => {
    it.effect("counts one view per viewer, medium and day", () =>
      Effect.gen(function* () {
        const courseId = yield* Fixtures.course({ handle: "stats", title: "Statistik" })
        const lectureId = yield* Fixtures.lecture({ courseId, title: "Erster Termin" })
        const first = yield* Fixtures.medium(lectureId, "public")
        const second = yield* Fixtures.medium(lectureId, "public", { profile: "360p" })

        for (const [medium, address, agent] of [
          [first.id, "198.51.100.1", "Firefox"],
          [first.id, "198.51.100.1", "Firefox"],
          [first.id, "198.51.100.1", "Chromium"],
          [first.id, "198.51.100.2", "Firefox"],
          [second.id, "198.51.100.1", "Firefox"]
        ] as const) {
          expect((yield* view(medium, address, agent)).status).toBe(204)
        }

        const sql = yield* SqlClient.SqlClient
        const stored = yield* sql<{ text: string }>`
          SELECT row_to_json(m)::text AS text FROM view_markers m
          UNION ALL SELECT row_to_json(k)::text FROM view_keys k
          UNION ALL SELECT row_to_json(v)::text FROM view_counts v
        `
        for (const row of stored) expect(row.text).not.toMatch(/198\.51\.100/)

        const cookies = yield* TestServer.login()
        const read = (path: string) =>
          Effect.map(
            TestServer.request("GET", path, { caller: { cookies } }),
            (response) => response.json as { total: number; days: ReadonlyArray<{ views: number }> }
          )
        expect((yield* read(`/statistics/media/${first.id}`)).total).toBe(3)
        expect((yield* read(`/statistics/media/${second.id}`)).total).toBe(1)
        expect((yield* read(`/statistics/lectures/${lectureId}`)).total).toBe(4)
        const course = yield* read("/statistics/courses/stats")
        expect(course.total).toBe(4)
        expect(course.days).toHaveLength(1)
        const range = yield* TestServer.request(
          "GET",
          "/statistics/courses/stats?from=2026-02-30",
          {
            caller: { cookies }
          }
        )
        expect(range.status).toBe(400)
        const reversed = yield* TestServer.request(
          "GET",
          "/statistics/courses/stats?from=2030-01-02&to=2030-01-01",
          { caller: { cookies } }
        )
        expect(reversed.status).toBe(400)
        expect((reversed.json as { field: string }).field).toBe("from")
      })
    )
  })
})
