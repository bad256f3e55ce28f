/**
 * Every moderator write lands in the change log with the right old and new values, in the same
 * transaction: a write that fails leaves neither a change nor a log row.
 */
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Fixtures from "./Fixtures.js"
import * as TestServer from "./TestServer.js"

interface Entry {
  readonly objectType: string
  readonly objectId: number
  readonly field: string
  readonly oldValue: unknown
  readonly newValue: unknown
  readonly username: string | null
}

let moderator: TestServer.Caller | undefined
const asModerator = Effect.suspend(() =>
  moderator
    ? Effect.succeed(moderator)
    : Effect.map(TestServer.login(), (cookies) => {
        moderator = {
          cookies,
          headers: { "x-videoag-csrf": "1", "content-type": "application/json" }
        }
        return moderator
      })
)

const write = (method: string, path: string, body?: unknown) =>
  Effect.flatMap(asModerator, (caller) =>
    TestServer.request(method, path, {
      caller,
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
  )

const logOf = (objectType: string, objectId: number) =>
  Effect.gen(function* () {
    const caller = yield* asModerator
    const response = yield* TestServer.request(
      "GET",
      `/change-log?objectType=${objectType}&objectId=${objectId}&limit=100`,
      { caller }
    )
    expect(response.status, response.text).toBe(200)
    return [...(response.json as { items: ReadonlyArray<Entry> }).items].reverse()
  })

const changes = (entries: ReadonlyArray<Entry>) =>
  entries.map((entry) => [entry.field, entry.oldValue, entry.newValue])

const countLogRows = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(
    sql<{ count: number }>`SELECT count(*)::int AS count FROM change_log`,
    (rows) => rows[0]!.count
  )
)

describe("change log", () => {
  it.layer(TestServer.layer())((it) => {
    it.effect("course writes log created, changed fields and deleted", () =>
      Effect.gen(function* () {
        const created = yield* write("POST", "/courses", { handle: "log-course", title: "Logik" })
        expect(created.status).toBe(201)
        const id = (created.json as { id: number }).id
        const updated = yield* write("PATCH", "/courses/log-course", {
          title: "Logik I",
          listed: false,
          description: ""
        })
        expect(updated.status, updated.text).toBe(200)
        const entries = yield* logOf("course", id)
        expect(entries[0]!.field).toBe("created")
        expect(entries[0]!.username).toBe("videoag")
        expect((entries[0]!.newValue as { title: string }).title).toBe("Logik")
        expect(changes(entries.slice(1))).toEqual([
          ["title", "Logik", "Logik I"],
          ["listed", true, false]
        ])
        const deleted = yield* write("DELETE", "/courses/log-course")
        expect(deleted.status).toBe(204)
        const after = yield* logOf("course", id)
        expect(after.at(-1)!.field).toBe("deleted")
        expect((after.at(-1)!.oldValue as { title: string }).title).toBe("Logik I")
        expect((yield* TestServer.request("GET", "/courses/log-course")).status).toBe(404)
      })
    )

    it.effect("lecture, chapter, medium and access rule writes are logged", () =>
      Effect.gen(function* () {
        const courseId = yield* Fixtures.course({ handle: "log-lectures", title: "Numerik" })
        const created = yield* write("POST", "/courses/log-lectures/lectures", {
          startTime: "2026-10-14T10:15:00+02:00",
          title: "Einführung"
        })
        expect(created.status, created.text).toBe(201)
        const lectureId = (created.json as { id: number }).id
        yield* write("PATCH", `/lectures/${lectureId}`, {
          place: "Hörsaal H02",
          startTime: "2026-10-14T10:30:00+02:00"
        })
        expect(changes((yield* logOf("lecture", lectureId)).slice(1))).toEqual([
          ["startTime", "2026-10-14T08:15:00.000Z", "2026-10-14T08:30:00.000Z"],
          ["place", null, "Hörsaal H02"]
        ])

        const chapter = yield* write("POST", `/lectures/${lectureId}/chapters`, {
          startSeconds: 60,
          title: "Motivation"
        })
        const chapterId = (chapter.json as { id: number }).id
        yield* write("PATCH", `/chapters/${chapterId}`, { title: "Motivation und Ziele" })
        yield* write("DELETE", `/chapters/${chapterId}`)
        const chapterLog = yield* logOf("chapter", chapterId)
        expect(chapterLog.map((entry) => entry.field)).toEqual(["created", "title", "deleted"])
        expect(changes([chapterLog[1]!])).toEqual([["title", "Motivation", "Motivation und Ziele"]])

        const suggestion = yield* TestServer.request(
          "POST",
          `/lectures/${lectureId}/chapter-suggestions`,
          {
            body: JSON.stringify({ startSeconds: 300, title: "Beispiel" }),
            headers: { "content-type": "application/json" }
          }
        )
        expect(suggestion.status, suggestion.text).toBe(202)
        const suggestionId = (suggestion.json as { id: number }).id
        const approved = yield* write("POST", `/chapters/${suggestionId}/approve`)
        expect((approved.json as { visible: boolean }).visible).toBe(true)
        expect(changes(yield* logOf("chapter", suggestionId))).toEqual([["visible", false, true]])

        const medium = yield* Fixtures.medium(lectureId, "public")
        const hidden = yield* write("PATCH", `/media/${medium.id}`, { visible: false })
        expect(hidden.status, hidden.text).toBe(200)
        expect(changes(yield* logOf("medium", medium.id))).toEqual([["visible", true, false]])

        const rules = yield* write("PUT", "/courses/log-lectures/access-rules", {
          rules: [{ kind: "university_network" }, { kind: "password", password: "geheim123" }]
        })
        expect(rules.status, rules.text).toBe(200)
        expect(changes(yield* logOf("course", courseId))).toEqual([
          ["accessRules", [], ["password", "university_network"]],
          ["password", null, "[redacted]"]
        ])
        const kept = yield* write("PUT", "/courses/log-lectures/access-rules", {
          rules: [{ kind: "password" }]
        })
        expect(kept.status, kept.text).toBe(200)
        expect(changes((yield* logOf("course", courseId)).slice(2))).toEqual([
          ["accessRules", ["password", "university_network"], ["password"]]
        ])
      })
    )

    it.effect("announcements, featured entries, users and jobs are logged", () =>
      Effect.gen(function* () {
        const announcement = yield* write("POST", "/announcements", { text: "Heute kein Stream" })
        const announcementId = (announcement.json as { id: number }).id
        yield* write("PATCH", `/announcements/${announcementId}`, { level: "warning" })
        yield* write("DELETE", `/announcements/${announcementId}`)
        const announcementLog = yield* logOf("announcement", announcementId)
        expect(announcementLog.map((entry) => entry.field)).toEqual(["created", "level", "deleted"])
        expect(changes([announcementLog[1]!])).toEqual([["level", "info", "warning"]])

        const featured = yield* write("POST", "/featured", { title: "Neu", text: "Hallo" })
        const featuredId = (featured.json as { id: number }).id
        yield* write("PATCH", `/featured/${featuredId}`, { visible: false })
        expect(changes((yield* logOf("featured", featuredId)).slice(1))).toEqual([
          ["visible", true, false]
        ])

        const user = yield* write("POST", "/users", {
          username: "erika",
          displayName: "Erika",
          password: "a long enough password"
        })
        expect(user.status, user.text).toBe(201)
        const userId = (user.json as { id: number }).id
        yield* write("PATCH", `/users/${userId}`, {
          role: "admin",
          password: "another long password"
        })
        const userLog = yield* logOf("user", userId)
        expect(userLog[0]!.field).toBe("created")
        expect(JSON.stringify(userLog)).not.toContain("a long enough password")
        expect(changes(userLog.slice(1))).toEqual([
          ["role", "moderator", "admin"],
          ["password", "[redacted]", "[redacted]"]
        ])

        const job = yield* write("POST", "/jobs", {
          type: "media.probe",
          input: { sourcePath: "lectures/a.mp4" }
        })
        expect(job.status, job.text).toBe(201)
        const jobId = (job.json as { id: number }).id
        yield* write("PATCH", `/jobs/${jobId}`, { priority: 5 })
        const cancelled = yield* write("POST", `/jobs/${jobId}/cancel`)
        expect((cancelled.json as { status: string }).status).toBe("cancelled")
        const retried = yield* write("POST", `/jobs/${jobId}/retry`)
        expect((retried.json as { status: string }).status).toBe("queued")
        expect(changes((yield* logOf("job", jobId)).slice(1))).toEqual([
          ["priority", 0, 5],
          ["status", "queued", "cancelled"],
          ["status", "cancelled", "queued"]
        ])
      })
    )

    it.effect("a failed write leaves neither change nor log row", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* Fixtures.course({ handle: "taken", title: "Taken" })
        const courseId = yield* Fixtures.course({ handle: "stays", title: "Stays" })
        const before = yield* countLogRows

        const conflict = yield* write("PATCH", "/courses/stays", {
          handle: "taken",
          title: "Changed"
        })
        expect(conflict.status).toBe(409)
        expect((conflict.json as { code: string }).code).toBe("course_handle_taken")
        const [course] = yield* sql<{
          title: string
        }>`SELECT title FROM courses WHERE id = ${courseId}`
        expect(course!.title).toBe("Stays")

        const noPassword = yield* write("PUT", "/courses/stays/access-rules", {
          rules: [{ kind: "university_network" }, { kind: "password" }]
        })
        expect(noPassword.status).toBe(400)
        expect((noPassword.json as { code: string }).code).toBe("password_required")
        const rules = yield* sql`SELECT * FROM access_rules WHERE course_id = ${courseId}`
        expect(rules).toEqual([])

        const first = yield* write("POST", "/featured", { title: "Eins" })
        const second = yield* write("POST", "/featured", { title: "Zwei" })
        const firstId = (first.json as { id: number }).id
        const secondId = (second.json as { id: number }).id
        const afterCreates = yield* countLogRows
        const positions = yield* sql`SELECT id, position FROM featured ORDER BY id`
        const reorder = yield* write("PUT", "/featured/order", {
          ids: [secondId, firstId, 999_999]
        })
        expect(reorder.status).toBe(404)
        expect((reorder.json as { code: string }).code).toBe("featured_not_found")
        expect(yield* sql`SELECT id, position FROM featured ORDER BY id`).toEqual(positions)
        expect(yield* countLogRows).toBe(afterCreates)

        yield* sql`UPDATE users SET role = 'moderator' WHERE username <> 'videoag'`
        const lastAdmin = yield* write("PATCH", "/users/1", { role: "moderator" })
        expect(lastAdmin.status).toBe(409)
        expect((lastAdmin.json as { code: string }).code).toBe("last_admin")

        const lectureId = yield* Fixtures.lecture({ courseId, title: "Attach" })
        const attach = yield* write("POST", `/lectures/${lectureId}/source-files`, {
          path: "a.mp4"
        })
        expect(attach.status).toBe(503)
        expect(yield* sql`SELECT * FROM source_files`).toEqual([])

        expect(yield* countLogRows).toBe(afterCreates)
        expect(afterCreates - before).toBe(2)
      })
    )

    it.effect("access changes enqueue the move of published files with the change", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const courseId = yield* Fixtures.course({ handle: "moving", title: "Moving" })
        const lectureId = yield* Fixtures.lecture({ courseId, title: "Moving lecture" })
        const medium = yield* Fixtures.medium(lectureId, "public")
        const protectedPath = medium.path.replace("published/public/", "published/protected/")

        yield* write("PUT", `/lectures/${lectureId}/access-rules`, {
          rules: [{ kind: "moderators" }]
        })
        const jobs = yield* sql<{ input: { moves: ReadonlyArray<{ from: string; to: string }> } }>`
          SELECT input FROM jobs WHERE type = 'media.relocate' ORDER BY id
        `
        expect(jobs.at(-1)!.input.moves).toEqual([{ from: medium.path, to: protectedPath }])

        const failed = yield* write("PATCH", `/lectures/${lectureId}`, { visible: "no" })
        expect(failed.status).toBe(400)
        const count = (yield* sql<{
          count: number
        }>`SELECT count(*)::int AS count FROM jobs WHERE type = 'media.relocate'`)[0]!.count
        expect(count).toBe(jobs.length)
      })
    )
  })
})
