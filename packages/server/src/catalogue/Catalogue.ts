/**
 * Courses and lectures as viewers and moderators read them. Viewers see only what is visible
 * and not deleted, and each lecture's media only when its access rules let them in; moderators
 * see hidden objects too. Hidden objects answer 404 rather than 403, so their existence does
 * not leak.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  Chapter,
  ChapterId,
  Course,
  CourseDetail,
  CourseId,
  Lecture,
  LectureDetail,
  LectureId,
  noThumbnails,
  NotFound,
  SemesterCourses,
  type AccessRuleKind,
  type CourseHandle,
  type User,
  type ViewerInfo
} from "@videoag/domain"
import { MediaRepository, orDieOnSqlError } from "@videoag/domain/sql"
import { accessOf, noRules, type AccessTarget, type RuleSet } from "../access/AccessPolicy.js"
import { fingerprintOf } from "../access/Grants.js"
import { MediaUrls } from "./MediaUrls.js"

export const CourseRecord = Schema.Struct({
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
export type CourseRecord = typeof CourseRecord.Type

export const LectureRecord = Schema.Struct({
  id: LectureId,
  courseId: CourseId,
  startTime: Schema.DateFromSelf,
  durationMinutes: Schema.NullOr(Schema.Int),
  place: Schema.NullOr(Schema.String),
  title: Schema.String,
  publicComment: Schema.String,
  internalComment: Schema.String,
  speaker: Schema.NullOr(Schema.String),
  visible: Schema.Boolean,
  noRecording: Schema.Boolean
})
export type LectureRecord = typeof LectureRecord.Type

/** The row of a lecture as search results and featured entries list it, with its course. */
export const LectureSummaryRecord = Schema.Struct({
  id: LectureId,
  courseId: CourseId,
  courseHandle: Schema.String,
  courseTitle: Schema.String,
  startTime: Schema.DateFromSelf,
  durationMinutes: Schema.NullOr(Schema.Int),
  title: Schema.String,
  speaker: Schema.NullOr(Schema.String),
  visible: Schema.Boolean
})

const ChapterRecord = Schema.Struct({
  id: ChapterId,
  lectureId: LectureId,
  startSeconds: Schema.Number,
  title: Schema.String,
  visible: Schema.Boolean,
  suggestedByViewer: Schema.Boolean
})

const RuleRecord = Schema.Struct({
  courseId: Schema.NullOr(Schema.Number),
  lectureId: Schema.NullOr(Schema.Number),
  kind: Schema.Literal("public", "university_network", "password", "moderators"),
  passwordHash: Schema.NullOr(Schema.String)
})

const decodeCourses = Schema.decodeUnknown(Schema.Array(CourseRecord))
const decodeLectures = Schema.decodeUnknown(Schema.Array(LectureRecord))
const decodeChapters = Schema.decodeUnknown(Schema.Array(ChapterRecord))
const decodeRules = Schema.decodeUnknown(Schema.Array(RuleRecord))

export const courseColumns =
  "id, handle, semester, title, short_title, organizer, topic, description, language, visible, listed, downloadable, profile_set, created_at, updated_at"
export const lectureColumns =
  "id, course_id, start_time, duration_minutes, place, title, public_comment, internal_comment, speaker, visible, no_recording"

export const prefixed = (alias: string, columns: string) =>
  columns
    .split(", ")
    .map((column) => `${alias}.${column}`)
    .join(", ")

export const isModerator = (viewer: ViewerInfo) => Option.isSome(viewer.user)

/** The caller of a moderator endpoint as the read side sees it. */
export const moderatorViewer = (user: User): ViewerInfo => ({
  user: Option.some(user),
  clientAddress: null,
  inUniversityNetwork: false,
  grants: [],
  userAgent: ""
})

export const courseNotFound = (handle: string) =>
  new NotFound({
    code: "course_not_found",
    message: `No course with the handle ${JSON.stringify(handle)}`
  })

export const lectureNotFound = (id: number) =>
  new NotFound({ code: "lecture_not_found", message: `No lecture with the id ${id}` })

const ruleSetOf = (records: ReadonlyArray<typeof RuleRecord.Type>): RuleSet => {
  const password = records.find((record) => record.kind === "password")
  return {
    kinds: records.map((record) => record.kind),
    passwordFingerprint: password?.passwordHash ? fingerprintOf(password.passwordHash) : null
  }
}

export interface CourseListOptions {
  readonly semester?: string | undefined
  readonly listed?: boolean | undefined
}

export class Catalogue extends Effect.Service<Catalogue>()("@videoag/server/Catalogue", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const media = yield* MediaRepository
    const urls = yield* MediaUrls

    const courses = (rows: ReadonlyArray<unknown>) => Effect.orDie(decodeCourses(rows))
    const lectures = (rows: ReadonlyArray<unknown>) => Effect.orDie(decodeLectures(rows))

    /** The rules set directly on the given courses and lectures. */
    const rulesOf = (courseIds: ReadonlyArray<number>, lectureIds: ReadonlyArray<number>) =>
      Effect.gen(function* () {
        const rows =
          courseIds.length === 0 && lectureIds.length === 0
            ? []
            : yield* sql`
                SELECT course_id, lecture_id, kind, password_hash FROM access_rules
                WHERE ${courseIds.length > 0 ? sql`course_id IN ${sql.in(courseIds)}` : sql`false`}
                   OR ${lectureIds.length > 0 ? sql`lecture_id IN ${sql.in(lectureIds)}` : sql`false`}
                ORDER BY kind
              `
        const records = yield* Effect.orDie(decodeRules(rows))
        const byCourse = new Map<number, RuleSet>()
        const byLecture = new Map<number, RuleSet>()
        for (const id of courseIds) {
          byCourse.set(id, ruleSetOf(records.filter((record) => record.courseId === id)))
        }
        for (const id of lectureIds) {
          byLecture.set(id, ruleSetOf(records.filter((record) => record.lectureId === id)))
        }
        return { byCourse, byLecture }
      })

    const toCourse = (record: CourseRecord, kinds: ReadonlyArray<AccessRuleKind>) =>
      new Course({ ...record, handle: record.handle as CourseHandle, accessRules: kinds })

    const withRules = (records: ReadonlyArray<CourseRecord>) =>
      Effect.map(
        rulesOf(
          records.map((record) => record.id),
          []
        ),
        ({ byCourse }) =>
          records.map((record) => toCourse(record, byCourse.get(record.id)?.kinds ?? []))
      )

    /**
     * Lectures with their access for the viewer and the media it may watch, in the order given.
     * Moderators also get hidden media and the internal comment.
     */
    const presentLectures = (
      course: CourseRecord,
      records: ReadonlyArray<LectureRecord>,
      courseRules: RuleSet,
      lectureRules: ReadonlyMap<number, RuleSet>,
      viewer: ViewerInfo
    ) =>
      Effect.gen(function* () {
        const moderator = isModerator(viewer)
        const files = yield* media.listForLectures(records.map((record) => record.id))
        const pictures = yield* media.listThumbnailsForLectures(records.map((record) => record.id))
        return records.map((record) => {
          const target: AccessTarget = {
            courseId: course.id,
            courseHandle: course.handle,
            lectureId: record.id,
            courseRules,
            lectureRules: lectureRules.get(record.id) ?? noRules
          }
          const access = accessOf(target, viewer)
          const { internalComment, ...lecture } = record
          return new Lecture({
            ...lecture,
            ...(moderator ? { internalComment } : {}),
            access,
            media: access.granted
              ? files
                  .filter((file) => file.lectureId === record.id && (moderator || file.visible))
                  .map((file) => urls.toMedium(file, course.downloadable))
              : [],
            thumbnails: access.granted
              ? urls.toThumbnails(pictures.filter((picture) => picture.lectureId === record.id))
              : noThumbnails
          })
        })
      })

    /** A lecture's course and its presentation with access, or 404 when hidden from the viewer. */
    const loadLecture = (id: LectureId, viewer: ViewerInfo) =>
      Effect.gen(function* () {
        const visibleOnly = isModerator(viewer) ? sql`true` : sql`l.visible AND c.visible`
        const rows = yield* sql`
          SELECT ${sql.literal(prefixed("l", lectureColumns))}
          FROM lectures l JOIN courses c ON c.id = l.course_id
          WHERE l.id = ${id} AND l.deleted_at IS NULL AND c.deleted_at IS NULL AND ${visibleOnly}
        `
        const [record] = yield* lectures(rows)
        if (record === undefined) return yield* lectureNotFound(id)
        const [course] = yield* Effect.flatMap(
          sql`SELECT ${sql.literal(courseColumns)} FROM courses WHERE id = ${record.courseId}`,
          courses
        )
        if (course === undefined) return yield* lectureNotFound(id)
        const rules = yield* rulesOf([course.id], [record.id])
        const [lecture] = yield* presentLectures(
          course,
          [record],
          rules.byCourse.get(course.id) ?? noRules,
          rules.byLecture,
          viewer
        )
        if (lecture === undefined) return yield* lectureNotFound(id)
        return { course, record, lecture }
      })

    const listCourses = (viewer: ViewerInfo, options: CourseListOptions = {}) =>
      Effect.gen(function* () {
        const moderator = isModerator(viewer)
        const listed = moderator ? (options.listed ?? true) : true
        const rows = yield* sql`
          SELECT ${sql.literal(courseColumns)} FROM courses
          WHERE deleted_at IS NULL AND listed = ${listed}
            AND ${moderator ? sql`true` : sql`visible`}
            AND ${options.semester === undefined ? sql`true` : sql`semester = ${options.semester}`}
          ORDER BY semester DESC NULLS LAST, title, id
        `
        return yield* withRules(yield* courses(rows))
      }).pipe(orDieOnSqlError, Effect.withSpan("Catalogue.listCourses"))

    const semesters = (viewer: ViewerInfo) =>
      Effect.map(listCourses(viewer), (list) => {
        const groups = new Map<string | null, Array<Course>>()
        for (const course of list) {
          const group = groups.get(course.semester) ?? []
          group.push(course)
          groups.set(course.semester, group)
        }
        return [...groups].map(
          ([semester, members]) => new SemesterCourses({ semester, courses: members })
        )
      })

    /** A course visible to the viewer, with its rule set; 404 otherwise. */
    const loadCourse = (handle: string, viewer: ViewerInfo) =>
      Effect.gen(function* () {
        const [course] = yield* Effect.flatMap(
          sql`
            SELECT ${sql.literal(courseColumns)} FROM courses
            WHERE handle = ${handle} AND deleted_at IS NULL
              AND ${isModerator(viewer) ? sql`true` : sql`visible`}
          `,
          courses
        )
        if (course === undefined) return yield* courseNotFound(handle)
        return course
      })

    /** The course's lectures visible to the viewer, presented with access and media. */
    const courseLectures = (course: CourseRecord, viewer: ViewerInfo) =>
      Effect.gen(function* () {
        const records = yield* Effect.flatMap(
          sql`
            SELECT ${sql.literal(lectureColumns)} FROM lectures
            WHERE course_id = ${course.id} AND deleted_at IS NULL
              AND ${isModerator(viewer) ? sql`true` : sql`visible`}
            ORDER BY start_time, id
          `,
          lectures
        )
        const rules = yield* rulesOf(
          [course.id],
          records.map((record) => record.id)
        )
        const courseRules = rules.byCourse.get(course.id) ?? noRules
        const presented = yield* presentLectures(
          course,
          records,
          courseRules,
          rules.byLecture,
          viewer
        )
        return { courseRules, lectures: presented, records }
      })

    const courseDetail = (handle: CourseHandle, viewer: ViewerInfo) =>
      Effect.gen(function* () {
        const course = yield* loadCourse(handle, viewer)
        const { courseRules, lectures: presented } = yield* courseLectures(course, viewer)
        return new CourseDetail({ ...toCourse(course, courseRules.kinds), lectures: presented })
      }).pipe(orDieOnSqlError, Effect.withSpan("Catalogue.courseDetail"))

    const lectureDetail = (id: LectureId, viewer: ViewerInfo) =>
      Effect.gen(function* () {
        const { course, lecture } = yield* loadLecture(id, viewer)
        const chapterRows = yield* sql`
          SELECT id, lecture_id, start_seconds, title, visible, suggested_by_viewer FROM chapters
          WHERE lecture_id = ${id} AND deleted_at IS NULL
            AND ${isModerator(viewer) ? sql`true` : sql`visible`}
          ORDER BY start_seconds, id
        `
        const chapters = yield* Effect.orDie(decodeChapters(chapterRows))
        return new LectureDetail({
          ...lecture,
          courseHandle: course.handle,
          courseTitle: course.title,
          chapters: chapters.map((chapter) => new Chapter(chapter))
        })
      }).pipe(orDieOnSqlError, Effect.withSpan("Catalogue.lectureDetail"))

    /** A lecture that exists and is not deleted, visible or not (for moderators). */
    const requireLecture = (id: LectureId) =>
      Effect.flatMap(
        sql`SELECT id FROM lectures WHERE id = ${id} AND deleted_at IS NULL`,
        (rows) => (rows.length > 0 ? Effect.void : lectureNotFound(id))
      ).pipe(orDieOnSqlError)

    return {
      listCourses,
      semesters,
      courseDetail,
      lectureDetail,
      loadCourse,
      loadLecture,
      courseLectures,
      rulesOf,
      toCourse,
      presentLectures,
      requireLecture
    } as const
  }),
  dependencies: [MediaRepository.Default, MediaUrls.Default]
}) {}
