/**
 * Rows for tests, written straight into the test database: courses, lectures, media and
 * access rules in the states the tests need, without going through the API.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { AccessRuleKind } from "@videoag/domain"
import * as Passwords from "../src/accounts/Passwords.js"

export interface CourseFixture {
  readonly handle: string
  readonly title: string
  readonly visible?: boolean
  readonly listed?: boolean
  readonly downloadable?: boolean
  readonly semester?: string | null
  readonly description?: string
  readonly organizer?: string | null
  readonly rules?: ReadonlyArray<AccessRuleKind>
  readonly password?: string
}

export interface LectureFixture {
  readonly courseId: number
  readonly title: string
  readonly visible?: boolean
  readonly startTime?: Date
  readonly publicComment?: string
  readonly rules?: ReadonlyArray<AccessRuleKind>
  readonly password?: string
}

const insertRules = (
  target: "course" | "lecture",
  id: number,
  rules: ReadonlyArray<AccessRuleKind>,
  password: string | undefined
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    for (const kind of rules) {
      const hash =
        kind === "password" ? yield* Passwords.hash(Redacted.make(password ?? "secret")) : null
      yield* sql`
        INSERT INTO access_rules (course_id, lecture_id, kind, password_hash)
        VALUES (${target === "course" ? id : null}, ${target === "lecture" ? id : null}, ${kind}, ${hash})
      `
    }
  })

export const course = (fixture: CourseFixture) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ id: number }>`
      INSERT INTO courses (handle, title, visible, listed, downloadable, semester, description, organizer)
      VALUES (${fixture.handle}, ${fixture.title}, ${fixture.visible ?? true}, ${fixture.listed ?? true},
              ${fixture.downloadable ?? true}, ${fixture.semester ?? null}, ${fixture.description ?? ""},
              ${fixture.organizer ?? null})
      RETURNING id
    `
    const id = row!.id
    yield* insertRules("course", id, fixture.rules ?? [], fixture.password)
    return id
  })

export const lecture = (fixture: LectureFixture) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ id: number }>`
      INSERT INTO lectures (course_id, start_time, title, visible, public_comment, duration_minutes, place)
      VALUES (${fixture.courseId}, ${fixture.startTime ?? new Date("2026-10-14T08:30:00Z")},
              ${fixture.title}, ${fixture.visible ?? true}, ${fixture.publicComment ?? ""}, 90, 'Hörsaal H01')
      RETURNING id
    `
    const id = row!.id
    yield* insertRules("lecture", id, fixture.rules ?? [], fixture.password)
    return id
  })

/** A published MP4 of the lecture in the public or protected folder; returns id and path. */
export const medium = (
  lectureId: number,
  exposure: "public" | "protected",
  options: { readonly profile?: string; readonly visible?: boolean; readonly name?: string } = {}
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const profile = options.profile ?? "720p"
    const height = Number(/^(\d+)p$/.exec(profile)?.[1] ?? 720)
    const path = `published/${exposure}/fixtures/${lectureId}/${options.name ?? `lecture-${lectureId}-${profile}.mp4`}`
    const [row] = yield* sql<{ id: number }>`
      INSERT INTO media (lecture_id, profile, path, mime_type, size_bytes, duration_seconds, width, height, visible)
      VALUES (${lectureId}, ${profile}, ${path}, 'video/mp4', 1000, 5400, ${Math.round((height * 16) / 9)},
              ${height}, ${options.visible ?? true})
      RETURNING id
    `
    return { id: row!.id, path }
  })

/** A poster of the lecture in the public or protected folder; returns its path. */
export const poster = (lectureId: number, exposure: "public" | "protected", name: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const path = `published/${exposure}/fixtures/${lectureId}/${name}`
    yield* sql`
      INSERT INTO thumbnails (lecture_id, kind, path, width, height)
      VALUES (${lectureId}, 'poster', ${path}, 1280, 720)
    `
    return path
  })
