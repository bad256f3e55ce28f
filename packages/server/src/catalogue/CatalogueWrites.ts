/**
 * Moderator writes to courses, lectures, their access rules and media visibility. Each write
 * runs in one transaction with its change-log rows and, when it changes which folder a
 * lecture's files belong in, with the `media.relocate` job that moves them.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import {
  AccessRule,
  AccessRules,
  Conflict,
  NotFound,
  ValidationError,
  type AccessRuleKind,
  type CourseHandle,
  type CreateCourse,
  type CreateLecture,
  type LectureId,
  type MediumId,
  type SetAccessRules,
  type UpdateCourse,
  type UpdateLecture,
  type UpdateMedium,
  type User
} from "@videoag/domain"
import {
  MediaRelocation,
  MediaRepository,
  orDieOnSqlError,
  sqlStateOf,
  SqlState
} from "@videoag/domain/sql"
import * as Passwords from "../accounts/Passwords.js"
import { ChangeLog, created, deleted, diff, redacted, type Change } from "../changelog/ChangeLog.js"
import {
  Catalogue,
  courseColumns,
  CourseRecord,
  courseNotFound,
  lectureColumns,
  lectureNotFound,
  LectureRecord,
  moderatorViewer
} from "./Catalogue.js"
import { MediaUrls } from "./MediaUrls.js"

const courseFields = [
  "handle",
  "semester",
  "title",
  "shortTitle",
  "organizer",
  "topic",
  "description",
  "language",
  "visible",
  "listed",
  "downloadable",
  "profileSet"
] as const

const lectureFields = [
  "startTime",
  "durationMinutes",
  "place",
  "title",
  "publicComment",
  "internalComment",
  "speaker",
  "visible",
  "noRecording"
] as const

const handleTaken = (handle: string) =>
  new Conflict({
    code: "course_handle_taken",
    message: `Another course already uses the handle ${JSON.stringify(handle)}; choose another one`
  })

/** Keeps only the fields a partial update actually sets. */
const definedFields = <T extends Record<string, unknown>>(payload: T) =>
  Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined))

interface RuleRow {
  readonly id: number
  readonly kind: AccessRuleKind
  readonly passwordHash: string | null
}

export class CatalogueWrites extends Effect.Service<CatalogueWrites>()(
  "@videoag/server/CatalogueWrites",
  {
    effect: Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const catalogue = yield* Catalogue
      const changeLog = yield* ChangeLog
      const relocation = yield* MediaRelocation
      const media = yield* MediaRepository
      const urls = yield* MediaUrls

      const decodeCourses = (rows: ReadonlyArray<unknown>) =>
        Effect.orDie(Schema.decodeUnknown(Schema.Array(CourseRecord))(rows))
      const decodeLectures = (rows: ReadonlyArray<unknown>) =>
        Effect.orDie(Schema.decodeUnknown(Schema.Array(LectureRecord))(rows))

      const lockCourse = (handle: string) =>
        Effect.gen(function* () {
          const rows = yield* sql`
            SELECT ${sql.literal(courseColumns)} FROM courses
            WHERE handle = ${handle} AND deleted_at IS NULL FOR UPDATE
          `
          const [course] = yield* decodeCourses(rows)
          if (course === undefined) return yield* courseNotFound(handle)
          return course
        })

      const lockLecture = (id: number) =>
        Effect.gen(function* () {
          const rows = yield* sql`
            SELECT ${sql.literal(lectureColumns)} FROM lectures
            WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE
          `
          const [lecture] = yield* decodeLectures(rows)
          if (lecture === undefined) return yield* lectureNotFound(id)
          return lecture
        })

      const courseResponse = (course: CourseRecord) =>
        Effect.map(catalogue.rulesOf([course.id], []), ({ byCourse }) =>
          catalogue.toCourse(course, byCourse.get(course.id)?.kinds ?? [])
        )

      const lectureResponse = (lectureId: LectureId, user: User) =>
        Effect.map(
          catalogue.loadLecture(lectureId, moderatorViewer(user)),
          ({ lecture }) => lecture
        )

      const createCourse = (payload: CreateCourse, user: User) =>
        Effect.gen(function* () {
          const rows = yield* sql`
            INSERT INTO courses ${sql.insert({ ...payload })}
            RETURNING ${sql.literal(courseColumns)}
          `.pipe(
            Effect.catchTag("SqlError", (error) =>
              sqlStateOf(error) === SqlState.uniqueViolation
                ? handleTaken(payload.handle)
                : Effect.die(error)
            )
          )
          const [course] = yield* decodeCourses(rows)
          if (course === undefined)
            return yield* Effect.dieMessage("INSERT INTO courses returned no row")
          yield* changeLog.recordChanges("course", course.id, user.id, created(course))
          yield* Effect.logInfo("Created course").pipe(
            Effect.annotateLogs({ courseId: course.id, handle: course.handle, userId: user.id })
          )
          return yield* courseResponse(course)
        }).pipe(
          sql.withTransaction,
          orDieOnSqlError,
          Effect.withSpan("CatalogueWrites.createCourse")
        )

      const updateCourse = (handle: CourseHandle, payload: UpdateCourse, user: User) =>
        Effect.gen(function* () {
          const before = yield* lockCourse(handle)
          const changes = definedFields(payload)
          if (Object.keys(changes).length === 0) return yield* courseResponse(before)
          const rows = yield* sql`
            UPDATE courses SET ${sql.update({ ...changes, updatedAt: new Date() })}
            WHERE id = ${before.id}
            RETURNING ${sql.literal(courseColumns)}
          `.pipe(
            Effect.catchTag("SqlError", (error) =>
              sqlStateOf(error) === SqlState.uniqueViolation
                ? handleTaken(payload.handle ?? handle)
                : Effect.die(error)
            )
          )
          const [after] = yield* decodeCourses(rows)
          if (after === undefined) return yield* courseNotFound(handle)
          yield* changeLog.recordChanges(
            "course",
            after.id,
            user.id,
            diff(before, after, courseFields)
          )
          if (before.visible !== after.visible) {
            yield* relocation.enqueueForCourse(after.id, user.id)
          }
          return yield* courseResponse(after)
        }).pipe(
          sql.withTransaction,
          orDieOnSqlError,
          Effect.withSpan("CatalogueWrites.updateCourse")
        )

      const deleteCourse = (handle: CourseHandle, user: User) =>
        Effect.gen(function* () {
          const before = yield* lockCourse(handle)
          yield* sql`UPDATE courses SET deleted_at = now(), updated_at = now() WHERE id = ${before.id}`
          yield* changeLog.recordChanges("course", before.id, user.id, deleted(before))
          yield* relocation.enqueueForCourse(before.id, user.id)
          yield* Effect.logInfo("Deleted course").pipe(
            Effect.annotateLogs({ courseId: before.id, userId: user.id })
          )
        }).pipe(
          sql.withTransaction,
          orDieOnSqlError,
          Effect.withSpan("CatalogueWrites.deleteCourse")
        )

      const createLecture = (handle: CourseHandle, payload: CreateLecture, user: User) =>
        Effect.gen(function* () {
          const course = yield* lockCourse(handle)
          const rows = yield* sql`
            INSERT INTO lectures ${sql.insert({ ...payload, courseId: course.id })}
            RETURNING ${sql.literal(lectureColumns)}
          `
          const [record] = yield* decodeLectures(rows)
          if (record === undefined)
            return yield* Effect.dieMessage("INSERT INTO lectures returned no row")
          yield* changeLog.recordChanges("lecture", record.id, user.id, created(record))
          yield* Effect.logInfo("Created lecture").pipe(
            Effect.annotateLogs({ lectureId: record.id, courseId: course.id, userId: user.id })
          )
          return yield* lectureResponse(record.id, user)
        }).pipe(
          sql.withTransaction,
          orDieOnSqlError,
          Effect.withSpan("CatalogueWrites.createLecture")
        )

      const updateLecture = (id: LectureId, payload: UpdateLecture, user: User) =>
        Effect.gen(function* () {
          const before = yield* lockLecture(id)
          const changes = definedFields(payload)
          if (Object.keys(changes).length > 0) {
            const rows = yield* sql`
              UPDATE lectures SET ${sql.update({ ...changes, updatedAt: new Date() })}
              WHERE id = ${id}
              RETURNING ${sql.literal(lectureColumns)}
            `
            const [after] = yield* decodeLectures(rows)
            if (after === undefined) return yield* lectureNotFound(id)
            yield* changeLog.recordChanges(
              "lecture",
              id,
              user.id,
              diff(before, after, lectureFields)
            )
            if (before.visible !== after.visible) yield* relocation.enqueueFor([id], user.id)
          }
          return yield* lectureResponse(id, user)
        }).pipe(
          sql.withTransaction,
          orDieOnSqlError,
          Effect.withSpan("CatalogueWrites.updateLecture")
        )

      const deleteLecture = (id: LectureId, user: User) =>
        Effect.gen(function* () {
          const before = yield* lockLecture(id)
          yield* sql`UPDATE lectures SET deleted_at = now(), updated_at = now() WHERE id = ${id}`
          yield* changeLog.recordChanges("lecture", id, user.id, deleted(before))
          yield* relocation.enqueueFor([id], user.id)
        }).pipe(
          sql.withTransaction,
          orDieOnSqlError,
          Effect.withSpan("CatalogueWrites.deleteLecture")
        )

      const ruleRows = (target: "course" | "lecture", id: number) =>
        sql<RuleRow>`
          SELECT id, kind, password_hash FROM access_rules
          WHERE ${target === "course" ? sql`course_id = ${id}` : sql`lecture_id = ${id}`}
          ORDER BY kind
        `

      const toAccessRules = (rows: ReadonlyArray<RuleRow>) =>
        new AccessRules({
          rules: rows.map(
            (row) => new AccessRule({ kind: row.kind, hasPassword: row.passwordHash !== null })
          )
        })

      const getAccessRules = (target: "course" | "lecture", handleOrId: string | number) =>
        Effect.gen(function* () {
          const id =
            target === "course"
              ? (yield* lockCourse(String(handleOrId))).id
              : (yield* lockLecture(Number(handleOrId))).id
          return toAccessRules(yield* ruleRows(target, id))
        }).pipe(
          sql.withTransaction,
          orDieOnSqlError,
          Effect.withSpan("CatalogueWrites.getAccessRules")
        )

      const setAccessRules = (
        target: "course" | "lecture",
        handleOrId: string | number,
        payload: SetAccessRules,
        user: User
      ) =>
        Effect.gen(function* () {
          const id =
            target === "course"
              ? (yield* lockCourse(String(handleOrId))).id
              : (yield* lockLecture(Number(handleOrId))).id
          const before = yield* ruleRows(target, id)
          const previousPassword = before.find((row) => row.kind === "password")?.passwordHash
          const rules: Array<{ kind: AccessRuleKind; passwordHash: string | null }> = []
          let passwordChanged = false
          for (const rule of payload.rules) {
            if (rule.kind !== "password") {
              rules.push({ kind: rule.kind, passwordHash: null })
            } else if (rule.password !== undefined) {
              rules.push({
                kind: "password",
                passwordHash: yield* Passwords.hash(Redacted.make(rule.password))
              })
              passwordChanged = true
            } else if (previousPassword !== undefined && previousPassword !== null) {
              rules.push({ kind: "password", passwordHash: previousPassword })
            } else {
              return yield* new ValidationError({
                code: "password_required",
                message: `The ${target} has no password yet; give one with the password rule`,
                field: `rules.${payload.rules.indexOf(rule)}.password`
              })
            }
          }
          yield* sql`
            DELETE FROM access_rules
            WHERE ${target === "course" ? sql`course_id = ${id}` : sql`lecture_id = ${id}`}
          `
          for (const rule of rules) {
            yield* sql`
              INSERT INTO access_rules (course_id, lecture_id, kind, password_hash)
              VALUES (${target === "course" ? id : null}, ${target === "lecture" ? id : null},
                      ${rule.kind}, ${rule.passwordHash})
            `
          }
          const after = yield* ruleRows(target, id)
          const changes: Array<Change> = [
            ...diff(
              { accessRules: before.map((row) => row.kind) },
              { accessRules: after.map((row) => row.kind) },
              ["accessRules"]
            ),
            ...(passwordChanged
              ? [
                  {
                    field: "password",
                    oldValue: previousPassword ? redacted : null,
                    newValue: redacted
                  }
                ]
              : [])
          ]
          yield* changeLog.recordChanges(target, id, user.id, changes)
          if (target === "course") yield* relocation.enqueueForCourse(id, user.id)
          else yield* relocation.enqueueFor([id], user.id)
          return toAccessRules(after)
        }).pipe(
          sql.withTransaction,
          orDieOnSqlError,
          Effect.withSpan("CatalogueWrites.setAccessRules")
        )

      const updateMedium = (id: MediumId, payload: UpdateMedium, user: User) =>
        Effect.gen(function* () {
          const rows = yield* sql<{ visible: boolean; lectureId: number; downloadable: boolean }>`
            SELECT m.visible, m.lecture_id, c.downloadable FROM media m
            JOIN lectures l ON l.id = m.lecture_id JOIN courses c ON c.id = l.course_id
            WHERE m.id = ${id} AND m.deleted_at IS NULL FOR UPDATE OF m
          `
          const [before] = rows
          if (before === undefined) {
            return yield* new NotFound({
              code: "medium_not_found",
              message: `No medium with the id ${id}`
            })
          }
          yield* sql`UPDATE media SET visible = ${payload.visible}, updated_at = now() WHERE id = ${id}`
          yield* changeLog.recordChanges(
            "medium",
            id,
            user.id,
            diff({ visible: before.visible }, { visible: payload.visible }, ["visible"])
          )
          if (before.visible !== payload.visible) {
            yield* relocation.enqueueFor([before.lectureId], user.id)
          }
          const record = yield* media.findById(id)
          if (record === undefined) return yield* Effect.dieMessage("The medium disappeared")
          return urls.toMedium(record, before.downloadable)
        }).pipe(
          sql.withTransaction,
          orDieOnSqlError,
          Effect.withSpan("CatalogueWrites.updateMedium")
        )

      return {
        createCourse,
        updateCourse,
        deleteCourse,
        createLecture,
        updateLecture,
        deleteLecture,
        getAccessRules,
        setAccessRules,
        updateMedium
      } as const
    }),
    dependencies: [
      Catalogue.Default,
      ChangeLog.Default,
      MediaRelocation.Default,
      MediaRepository.Default,
      MediaUrls.Default
    ]
  }
) {}
