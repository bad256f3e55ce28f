/**
 * Chapters as moderators manage them: create, change, approve or reject suggestions, delete.
 * Deleting and rejecting are soft deletes, kept in the change log.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  Chapter,
  ChapterId,
  LectureId,
  NotFound,
  type CreateChapter,
  type UpdateChapter,
  type User
} from "@videoag/domain"
import { orDieOnSqlError } from "@videoag/domain/sql"
import { Catalogue } from "../catalogue/Catalogue.js"
import { ChangeLog, created, deleted, diff } from "../changelog/ChangeLog.js"

const ChapterRecord = Schema.Struct({
  id: ChapterId,
  lectureId: LectureId,
  startSeconds: Schema.Number,
  title: Schema.String,
  visible: Schema.Boolean,
  suggestedByViewer: Schema.Boolean
})
type ChapterRecord = typeof ChapterRecord.Type
const decodeChapters = Schema.decodeUnknown(Schema.Array(ChapterRecord))

const columns = "id, lecture_id, start_seconds, title, visible, suggested_by_viewer"
const fields = ["startSeconds", "title", "visible"] as const

export class Chapters extends Effect.Service<Chapters>()("@videoag/server/Chapters", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const catalogue = yield* Catalogue
    const changeLog = yield* ChangeLog

    const decode = (rows: ReadonlyArray<unknown>) => Effect.orDie(decodeChapters(rows))

    const lock = (id: ChapterId) =>
      Effect.gen(function* () {
        const [record] = yield* Effect.flatMap(
          sql`SELECT ${sql.literal(columns)} FROM chapters WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`,
          decode
        )
        if (record === undefined) {
          return yield* new NotFound({
            code: "chapter_not_found",
            message: `No chapter with the id ${id}`
          })
        }
        return record
      })

    const listForLecture = (lectureId: LectureId) =>
      Effect.gen(function* () {
        yield* catalogue.requireLecture(lectureId)
        const rows = yield* sql`
          SELECT ${sql.literal(columns)} FROM chapters
          WHERE lecture_id = ${lectureId} AND deleted_at IS NULL ORDER BY start_seconds, id
        `
        return (yield* decode(rows)).map((record) => new Chapter(record))
      }).pipe(orDieOnSqlError, Effect.withSpan("Chapters.listForLecture"))

    const create = (lectureId: LectureId, payload: CreateChapter, user: User) =>
      Effect.gen(function* () {
        yield* catalogue.requireLecture(lectureId)
        const [record] = yield* Effect.flatMap(
          sql`
            INSERT INTO chapters (lecture_id, start_seconds, title, visible)
            VALUES (${lectureId}, ${payload.startSeconds}, ${payload.title}, ${payload.visible})
            RETURNING ${sql.literal(columns)}
          `,
          decode
        )
        if (record === undefined) return yield* Effect.dieMessage("INSERT returned no row")
        yield* changeLog.recordChanges("chapter", record.id, user.id, created(record))
        return new Chapter(record)
      }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Chapters.create"))

    const change = (id: ChapterId, changes: Partial<ChapterRecord>, user: User) =>
      Effect.gen(function* () {
        const before = yield* lock(id)
        const next = { ...before, ...changes }
        const [after] = yield* Effect.flatMap(
          sql`
            UPDATE chapters SET start_seconds = ${next.startSeconds}, title = ${next.title},
                                visible = ${next.visible}, updated_at = now()
            WHERE id = ${id}
            RETURNING ${sql.literal(columns)}
          `,
          decode
        )
        if (after === undefined) return yield* Effect.dieMessage("UPDATE returned no row")
        yield* changeLog.recordChanges("chapter", id, user.id, diff(before, after, fields))
        return new Chapter(after)
      }).pipe(sql.withTransaction, orDieOnSqlError)

    const update = (id: ChapterId, payload: UpdateChapter, user: User) =>
      change(
        id,
        Object.fromEntries(
          Object.entries(payload).filter(([, value]) => value !== undefined)
        ) as Partial<ChapterRecord>,
        user
      ).pipe(Effect.withSpan("Chapters.update"))

    const approve = (id: ChapterId, user: User) =>
      change(id, { visible: true }, user).pipe(Effect.withSpan("Chapters.approve"))

    const remove = (id: ChapterId, user: User) =>
      Effect.gen(function* () {
        const before = yield* lock(id)
        yield* sql`UPDATE chapters SET deleted_at = now(), updated_at = now() WHERE id = ${id}`
        yield* changeLog.recordChanges("chapter", id, user.id, deleted(before))
      }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Chapters.remove"))

    return { listForLecture, create, update, approve, remove } as const
  }),
  dependencies: [Catalogue.Default, ChangeLog.Default]
}) {}
