/**
 * Moderators see the recordings the sorter could not match, assign them to lectures, and read
 * the housekeeping report of published files.
 */
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Fixtures from "./Fixtures.js"
import * as TestServer from "./TestServer.js"

describe("source files", () => {
  it.layer(TestServer.layer())((it) => {
    it.effect("lists, assigns and reports sorter files", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const courseId = yield* Fixtures.course({ handle: "sorted", title: "Sorted" })
        const lectureId = yield* Fixtures.lecture({ courseId, title: "Sorted lecture" })
        const [unmatched] = yield* sql<{ id: number }>`
          INSERT INTO source_files (path, size_bytes, modified_at, state, origin, unmatched_reason,
                                    unmatched_message)
          VALUES ('incoming/sorted_2026-10-14_25-00.mp4', 10, now(), 'pending', 'sorter',
                  'invalid_date', 'The time 25:00 does not exist')
          RETURNING id
        `
        yield* sql`
          INSERT INTO incoming_files (path, folder, size_bytes, modified_at, first_seen_at,
                                      last_seen_at, changed_at)
          VALUES ('incoming/growing.mp4', 'incoming', 5, now(), now(), now(), now())
        `
        const moderator = {
          cookies: yield* TestServer.login(),
          headers: { "x-videoag-csrf": "1", "content-type": "application/json" }
        }

        const listed = yield* TestServer.request("GET", "/source-files/unassigned", {
          caller: moderator
        })
        expect(listed.status, listed.text).toBe(200)
        expect(listed.json).toMatchObject([
          { id: unmatched!.id, reason: "invalid_date", message: "The time 25:00 does not exist" }
        ])
        const waiting = yield* TestServer.request("GET", "/source-files/waiting", {
          caller: moderator
        })
        expect(waiting.json).toMatchObject([{ path: "incoming/growing.mp4", sizeBytes: 5 }])

        const assigned = yield* TestServer.request(
          "POST",
          `/source-files/${unmatched!.id}/assign`,
          {
            body: JSON.stringify({ lectureId }),
            caller: moderator
          }
        )
        expect(assigned.status, assigned.text).toBe(202)
        expect(assigned.json).toMatchObject({
          sourceFile: { id: unmatched!.id, lectureId },
          job: { type: "media.probe", status: "queued" }
        })
        const again = yield* TestServer.request("POST", `/source-files/${unmatched!.id}/assign`, {
          body: JSON.stringify({ lectureId }),
          caller: moderator
        })
        expect(again.status).toBe(409)
        expect((again.json as { code: string }).code).toBe("source_file_already_attached")
        const unknown = yield* TestServer.request("POST", "/source-files/999999/assign", {
          body: JSON.stringify({ lectureId }),
          caller: moderator
        })
        expect((unknown.json as { code: string }).code).toBe("source_file_not_found")
        const noLecture = yield* TestServer.request(
          "POST",
          `/source-files/${unmatched!.id}/assign`,
          {
            body: JSON.stringify({ lectureId: 999999 }),
            caller: moderator
          }
        )
        expect((noLecture.json as { code: string }).code).toBe("lecture_not_found")

        const log = yield* TestServer.request(
          "GET",
          `/change-log?objectType=source_file&objectId=${unmatched!.id}`,
          { caller: moderator }
        )
        expect(
          (log.json as { items: ReadonlyArray<{ field: string; newValue: unknown }> }).items
        ).toMatchObject([{ field: "lectureId", newValue: lectureId }])

        yield* sql`
          INSERT INTO published_file_problems (path, kind, message)
          VALUES ('published/public/stray.txt', 'unreferenced', 'No record names this file')
        `
        const problems = yield* TestServer.request("GET", "/published-file-problems", {
          caller: moderator
        })
        expect(problems.json).toMatchObject([
          { path: "published/public/stray.txt", kind: "unreferenced", mediumId: null }
        ])
        const anonymous = yield* TestServer.request("GET", "/published-file-problems")
        expect(anonymous.status).toBe(401)
      })
    )
  })
})
