/**
 * Courses and lectures as viewers and moderators read and create them. Viewers see only what
 * is visible and not deleted; each lecture comes with its visible media.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  Conflict,
  Course,
  CourseDetail,
  CourseId,
  Lecture,
  LectureDetail,
  LectureId,
  NotFound,
  type CourseHandle,
  type CreateCourse,
  type CreateLecture
} from "@videoag/domain"
import { MediaRepository, orDieOnSqlError, sqlStateOf, SqlState } from "@videoag/domain/sql"
import { MediaUrls } from "./MediaUrls.js"

const CourseRecord = Schema.Struct({
  id: CourseId,
  handle: Schema.String,
  semester: Schema.NullOr(Schema.String),
  title: Schema.String,
  shortTitle: Schema.NullOr(Schema.String),
  organizer: Schema.NullOr(Schema.String),
  topic: Schema.NullOr(Schema.String),
  description: Schema.String,
  language: Schema.String,
  visible: Schema.Boolean,
  listed: Schema.Boolean,
  downloadable: Schema.Boolean,
  profileSet: Schema.String,
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf
})
type CourseRecord = typeof CourseRecord.Type

const LectureRecord = Schema.Struct({
  id: LectureId,
  courseId: CourseId,
  startTime: Schema.DateFromSelf,
  durationMinutes: Schema.NullOr(Schema.Int),
  place: Schema.NullOr(Schema.String),
  title: Schema.String,
  publicComment: Schema.String,
  speaker: Schema.NullOr(Schema.String),
  visible: Schema.Boolean,
  noRecording: Schema.Boolean
})
type LectureRecord = typeof LectureRecord.Type

const LectureWithCourseRecord = Schema.extend(
  LectureRecord,
  Schema.Struct({ courseHandle: Schema.String, courseTitle: Schema.String })
)

const decodeCourses = Schema.decodeUnknown(Schema.Array(CourseRecord))
const decodeLectures = Schema.decodeUnknown(Schema.Array(LectureRecord))
const decodeLecturesWithCourse = Schema.decodeUnknown(Schema.Array(LectureWithCourseRecord))

const courseColumns =
  "id, handle, semester, title, short_title, organizer, topic, description, language, visible, listed, downloadable, profile_set, created_at, updated_at"
const lectureColumns =
  "id, course_id, start_time, duration_minutes, place, title, public_comment, speaker, visible, no_recording"

const toCourse = (record: CourseRecord) =>
  new Course({ ...record, handle: record.handle as CourseHandle })

const courseNotFound = (handle: string) =>
  new NotFound({
    code: "course_not_found",
    message: `No course with the handle ${JSON.stringify(handle)}`
  })

const lectureNotFound = (id: number) =>
  new NotFound({ code: "lecture_not_found", message: `No lecture with the id ${id}` })

export class Catalogue extends Effect.Service<Catalogue>()("@videoag/server/Catalogue", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const media = yield* MediaRepository
    const urls = yield* MediaUrls

    const courses = (rows: ReadonlyArray<unknown>) => Effect.orDie(decodeCourses(rows))
    const lectures = (rows: ReadonlyArray<unknown>) => Effect.orDie(decodeLectures(rows))

    /** Lectures with their visible media, in the order given. */
    const withMedia = (records: ReadonlyArray<LectureRecord>) =>
      Effect.gen(function* () {
        const files = yield* media.listVisibleForLectures(records.map((record) => record.id))
        return records.map(
          (record) =>
            new Lecture({
              ...record,
              media: files.filter((file) => file.lectureId === record.id).map(urls.toMedium)
            })
        )
      })

    const listCourses = Effect.flatMap(
      sql`
        SELECT ${sql.literal(courseColumns)} FROM courses
        WHERE visible AND listed AND deleted_at IS NULL
        ORDER BY semester DESC NULLS LAST, title, id
      `,
      courses
    ).pipe(
      Effect.map((records) => records.map(toCourse)),
      orDieOnSqlError,
      Effect.withSpan("Catalogue.listCourses")
    )

    const courseDetail = (handle: CourseHandle) =>
      Effect.gen(function* () {
        const [course] = yield* Effect.flatMap(
          sql`SELECT ${sql.literal(courseColumns)} FROM courses WHERE handle = ${handle} AND visible AND deleted_at IS NULL`,
          courses
        )
        if (course === undefined) return yield* courseNotFound(handle)
        const records = yield* Effect.flatMap(
          sql`
            SELECT ${sql.literal(lectureColumns)} FROM lectures
            WHERE course_id = ${course.id} AND visible AND deleted_at IS NULL
            ORDER BY start_time, id
          `,
          lectures
        )
        return new CourseDetail({ ...toCourse(course), lectures: yield* withMedia(records) })
      }).pipe(orDieOnSqlError, Effect.withSpan("Catalogue.courseDetail"))

    const lectureDetail = (id: LectureId) =>
      Effect.gen(function* () {
        const rows = yield* sql`
          SELECT ${sql.literal(
            lectureColumns
              .split(", ")
              .map((column) => `l.${column}`)
              .join(", ")
          )},
                 c.handle AS course_handle, c.title AS course_title
          FROM lectures l JOIN courses c ON c.id = l.course_id
          WHERE l.id = ${id} AND l.visible AND l.deleted_at IS NULL AND c.visible AND c.deleted_at IS NULL
        `
        const [record] = yield* Effect.orDie(decodeLecturesWithCourse(rows))
        if (record === undefined) return yield* lectureNotFound(id)
        const { courseHandle, courseTitle, ...lectureRecord } = record
        const [lecture] = yield* withMedia([lectureRecord])
        return new LectureDetail({
          ...(lecture ?? new Lecture({ ...lectureRecord, media: [] })),
          courseHandle,
          courseTitle
        })
      }).pipe(orDieOnSqlError, Effect.withSpan("Catalogue.lectureDetail"))

    const createCourse = (payload: CreateCourse) =>
      Effect.gen(function* () {
        const rows = yield* sql`
          INSERT INTO courses ${sql.insert({ ...payload })}
          RETURNING ${sql.literal(courseColumns)}
        `.pipe(
          Effect.catchTag("SqlError", (error) =>
            sqlStateOf(error) === SqlState.uniqueViolation
              ? new Conflict({
                  code: "course_handle_taken",
                  message: `Another course already uses the handle ${JSON.stringify(payload.handle)}; choose another one`
                })
              : Effect.die(error)
          )
        )
        const [course] = yield* courses(rows)
        if (course === undefined)
          return yield* Effect.dieMessage("INSERT INTO courses returned no row")
        yield* Effect.logInfo("Created course").pipe(
          Effect.annotateLogs({ courseId: course.id, handle: course.handle })
        )
        return toCourse(course)
      }).pipe(orDieOnSqlError, Effect.withSpan("Catalogue.createCourse"))

    const createLecture = (handle: CourseHandle, payload: CreateLecture) =>
      Effect.gen(function* () {
        const [course] = yield* Effect.flatMap(
          sql`SELECT ${sql.literal(courseColumns)} FROM courses WHERE handle = ${handle} AND deleted_at IS NULL`,
          courses
        )
        if (course === undefined) return yield* courseNotFound(handle)
        const rows = yield* sql`
          INSERT INTO lectures ${sql.insert({ ...payload, courseId: course.id })}
          RETURNING ${sql.literal(lectureColumns)}
        `
        const [record] = yield* lectures(rows)
        if (record === undefined)
          return yield* Effect.dieMessage("INSERT INTO lectures returned no row")
        yield* Effect.logInfo("Created lecture").pipe(
          Effect.annotateLogs({ lectureId: record.id, courseId: course.id })
        )
        return new Lecture({ ...record, media: [] })
      }).pipe(orDieOnSqlError, Effect.withSpan("Catalogue.createLecture"))

    /** A lecture that exists and is not deleted, visible or not (for moderators). */
    const requireLecture = (id: LectureId) =>
      Effect.flatMap(
        sql`SELECT id FROM lectures WHERE id = ${id} AND deleted_at IS NULL`,
        (rows) => (rows.length > 0 ? Effect.void : lectureNotFound(id))
      ).pipe(orDieOnSqlError)

    return {
      listCourses,
      courseDetail,
      lectureDetail,
      createCourse,
      createLecture,
      requireLecture
    } as const
  }),
  dependencies: [MediaRepository.Default, MediaUrls.Default]
}) {}
