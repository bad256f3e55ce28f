/**
 * The home page's featured entries. Viewers see visible entries whose course or lecture they
 * could open (visible, not deleted, course listed); moderators manage all of them.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  CourseId,
  Featured,
  FeaturedId,
  LectureId,
  LectureSummary,
  NotFound,
  ValidationError,
  type CreateFeatured,
  type ReorderFeatured,
  type UpdateFeatured,
  type User,
  type ViewerInfo
} from "@videoag/domain"
import { orDieOnSqlError } from "@videoag/domain/sql"
import {
  Catalogue,
  courseColumns,
  CourseRecord,
  LectureSummaryRecord,
  courseNotFound,
  isModerator,
  moderatorViewer,
  prefixed
} from "../catalogue/Catalogue.js"
import { ChangeLog, created, deleted, diff } from "../changelog/ChangeLog.js"

const FeaturedRecord = Schema.Struct({
  id: FeaturedId,
  position: Schema.Int,
  courseId: Schema.NullOr(CourseId),
  lectureId: Schema.NullOr(LectureId),
  title: Schema.NullOr(Schema.String),
  text: Schema.String,
  visible: Schema.Boolean
})
type FeaturedRecord = typeof FeaturedRecord.Type
const decodeFeatured = Schema.decodeUnknown(Schema.Array(FeaturedRecord))
const decodeCourses = Schema.decodeUnknown(Schema.Array(CourseRecord))

const decodeSummaries = Schema.decodeUnknown(Schema.Array(LectureSummaryRecord))

const columns = "id, position, course_id, lecture_id, title, text, visible"

export class FeaturedEntries extends Effect.Service<FeaturedEntries>()(
  "@videoag/server/FeaturedEntries",
  {
    effect: Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const catalogue = yield* Catalogue
      const changeLog = yield* ChangeLog

      const decode = (rows: ReadonlyArray<unknown>) => Effect.orDie(decodeFeatured(rows))

      const notFound = (id: number) =>
        new NotFound({ code: "featured_not_found", message: `No featured entry with the id ${id}` })

      const present = (records: ReadonlyArray<FeaturedRecord>, viewer: ViewerInfo) =>
        Effect.gen(function* () {
          const moderator = isModerator(viewer)
          const courseIds = records.flatMap((record) => (record.courseId ? [record.courseId] : []))
          const lectureIds = records.flatMap((record) =>
            record.lectureId ? [record.lectureId] : []
          )
          const courseRows =
            courseIds.length === 0
              ? []
              : yield* Effect.flatMap(
                  sql`
                    SELECT ${sql.literal(courseColumns)} FROM courses
                    WHERE id IN ${sql.in(courseIds)} AND deleted_at IS NULL
                      AND ${moderator ? sql`true` : sql`visible AND listed`}
                  `,
                  (rows) => Effect.orDie(decodeCourses(rows))
                )
          const courses = new Map(
            (yield* Effect.map(
              catalogue.rulesOf(
                courseRows.map((row) => row.id),
                []
              ),
              (rules) =>
                courseRows.map((row) =>
                  catalogue.toCourse(row, rules.byCourse.get(row.id)?.kinds ?? [])
                )
            )).map((course) => [course.id as number, course])
          )
          const lectureRows =
            lectureIds.length === 0
              ? []
              : yield* Effect.flatMap(
                  sql`
                    SELECT ${sql.literal(prefixed("l", "id, course_id, start_time, duration_minutes, title, speaker, visible"))},
                           c.handle AS course_handle, c.title AS course_title
                    FROM lectures l JOIN courses c ON c.id = l.course_id
                    WHERE l.id IN ${sql.in(lectureIds)} AND l.deleted_at IS NULL AND c.deleted_at IS NULL
                      AND ${moderator ? sql`true` : sql`l.visible AND c.visible AND c.listed`}
                  `,
                  (rows) => Effect.orDie(decodeSummaries(rows))
                )
          const lectures = new Map(
            lectureRows.map((row) => [row.id as number, new LectureSummary(row)])
          )
          return records.flatMap((record) => {
            const course = record.courseId === null ? null : courses.get(record.courseId)
            const lecture = record.lectureId === null ? null : lectures.get(record.lectureId)
            const hidden = !record.visible || course === undefined || lecture === undefined
            if (hidden && !moderator) return []
            return [
              new Featured({
                id: record.id,
                position: record.position,
                title: record.title,
                text: record.text,
                visible: record.visible,
                course: course ?? null,
                lecture: lecture ?? null
              })
            ]
          })
        })

      const all = Effect.flatMap(
        sql`SELECT ${sql.literal(columns)} FROM featured ORDER BY position, id`,
        decode
      )

      const list = (viewer: ViewerInfo) =>
        Effect.flatMap(all, (records) => present(records, viewer)).pipe(
          orDieOnSqlError,
          Effect.withSpan("FeaturedEntries.list")
        )

      const lock = (id: FeaturedId) =>
        Effect.gen(function* () {
          const [record] = yield* Effect.flatMap(
            sql`SELECT ${sql.literal(columns)} FROM featured WHERE id = ${id} FOR UPDATE`,
            decode
          )
          if (record === undefined) return yield* notFound(id)
          return record
        })

      const presentOne = (record: FeaturedRecord, user: User) =>
        Effect.map(present([record], moderatorViewer(user)), (entries) => entries[0]!)

      const create = (payload: CreateFeatured, user: User) =>
        Effect.gen(function* () {
          let courseId: number | null = null
          if (payload.courseHandle !== null) {
            const rows = yield* sql<{ id: number }>`
              SELECT id FROM courses WHERE handle = ${payload.courseHandle} AND deleted_at IS NULL
            `
            if (rows[0] === undefined) return yield* courseNotFound(payload.courseHandle)
            courseId = rows[0].id
          }
          if (payload.lectureId !== null) yield* catalogue.requireLecture(payload.lectureId)
          yield* sql`LOCK TABLE featured IN SHARE ROW EXCLUSIVE MODE`
          const [record] = yield* Effect.flatMap(
            sql`
              INSERT INTO featured (position, course_id, lecture_id, title, text, visible)
              VALUES ((SELECT coalesce(max(position), 0) + 1 FROM featured), ${courseId},
                      ${payload.lectureId}, ${payload.title}, ${payload.text}, ${payload.visible})
              RETURNING ${sql.literal(columns)}
            `,
            decode
          )
          if (record === undefined) return yield* Effect.dieMessage("INSERT returned no row")
          yield* changeLog.recordChanges("featured", record.id, user.id, created(record))
          return yield* presentOne(record, user)
        }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("FeaturedEntries.create"))

      const update = (id: FeaturedId, payload: UpdateFeatured, user: User) =>
        Effect.gen(function* () {
          const before = yield* lock(id)
          const [after] = yield* Effect.flatMap(
            sql`
              UPDATE featured SET
                title = ${payload.title === undefined ? before.title : payload.title},
                text = ${payload.text ?? before.text},
                visible = ${payload.visible ?? before.visible},
                updated_at = now()
              WHERE id = ${id}
              RETURNING ${sql.literal(columns)}
            `,
            decode
          )
          if (after === undefined) return yield* Effect.dieMessage("UPDATE returned no row")
          yield* changeLog.recordChanges(
            "featured",
            id,
            user.id,
            diff(before, after, ["title", "text", "visible"])
          )
          return yield* presentOne(after, user)
        }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("FeaturedEntries.update"))

      const remove = (id: FeaturedId, user: User) =>
        Effect.gen(function* () {
          const before = yield* lock(id)
          yield* sql`DELETE FROM featured WHERE id = ${id}`
          yield* changeLog.recordChanges("featured", id, user.id, deleted(before))
        }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("FeaturedEntries.remove"))

      /**
       * Gives the entries the positions of `ids`, one by one, logging each moved entry. An id
       * that does not exist fails the whole reorder, and nothing is stored.
       */
      const reorder = (payload: ReorderFeatured, user: User) =>
        Effect.gen(function* () {
          yield* sql`LOCK TABLE featured IN SHARE ROW EXCLUSIVE MODE`
          const before = yield* all
          const known = new Map(before.map((record) => [record.id as number, record]))
          for (const [index, id] of payload.ids.entries()) {
            const record = known.get(id)
            if (record === undefined) return yield* notFound(id)
            const position = index + 1
            yield* sql`UPDATE featured SET position = ${position}, updated_at = now() WHERE id = ${id}`
            yield* changeLog.recordChanges(
              "featured",
              id,
              user.id,
              diff({ position: record.position }, { position }, ["position"])
            )
          }
          if (payload.ids.length !== before.length) {
            return yield* new ValidationError({
              code: "invalid_request",
              message: `Invalid ids: Expected all ${before.length} featured entries, got ${payload.ids.length}`,
              field: "ids"
            })
          }
          return yield* Effect.flatMap(all, (records) => present(records, moderatorViewer(user)))
        }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("FeaturedEntries.reorder"))

      return { list, create, update, remove, reorder } as const
    }),
    dependencies: [Catalogue.Default, ChangeLog.Default]
  }
) {}
