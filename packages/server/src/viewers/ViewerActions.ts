/**
 * What viewers do besides reading: unlock a course or lecture with its password, count a view
 * of a medium, suggest a chapter.
 *
 * Views count once per viewer, medium and day (Europe/Berlin). Viewers are distinguished by an
 * HMAC of medium, client address and user agent under a random key of the day; the key is
 * deleted after the day, so the stored markers cannot be traced back to an address.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Crypto from "node:crypto"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import {
  Chapter,
  ChapterId,
  Conflict,
  Forbidden,
  grantCookieName,
  LectureId,
  NotFound,
  PasswordGrant,
  type CourseHandle,
  type GrantClaim,
  type MediumId,
  type SuggestChapter,
  type ViewerInfo
} from "@videoag/domain"
import { orDieOnSqlError } from "@videoag/domain/sql"
import * as Schema from "effect/Schema"
import { effectiveRules } from "../access/AccessPolicy.js"
import { encodeGrants, fingerprintOf } from "../access/Grants.js"
import * as Passwords from "../accounts/Passwords.js"
import { passwordPerAddress, RateLimiter, suggestionsPerAddress } from "../accounts/RateLimiter.js"
import { Catalogue, isModerator } from "../catalogue/Catalogue.js"
import { ServerConfig } from "../ServerConfig.js"

const ChapterRecord = Schema.Struct({
  id: ChapterId,
  lectureId: LectureId,
  startSeconds: Schema.Number,
  title: Schema.String,
  visible: Schema.Boolean,
  suggestedByViewer: Schema.Boolean
})

const mediumNotFound = (id: number) =>
  new NotFound({ code: "medium_not_found", message: `No medium with the id ${id}` })

const accessDenied = (what: string) =>
  new Forbidden({
    code: "access_denied",
    message: `The ${what} is protected by an access rule the caller does not satisfy; see access.rules of its lecture`
  })

export class ViewerActions extends Effect.Service<ViewerActions>()(
  "@videoag/server/ViewerActions",
  {
    effect: Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const catalogue = yield* Catalogue
      const limiter = yield* RateLimiter
      const settings = yield* ServerConfig

      /** Adds a grant to the viewer's cookie on the response. */
      const setGrantCookie = (viewer: ViewerInfo, grant: GrantClaim) => {
        const others = viewer.grants.filter(
          (existing) => !(existing.scope === grant.scope && existing.objectId === grant.objectId)
        )
        const value = encodeGrants(settings.serverSecret, [...others, grant])
        return HttpApp.appendPreResponseHandler((_request, response) =>
          Effect.orDie(
            HttpServerResponse.setCookie(response, grantCookieName, value, {
              httpOnly: true,
              secure: settings.secureCookies,
              sameSite: "lax",
              path: "/",
              maxAge: settings.passwordGrantLifetime
            })
          )
        )
      }

      const unlock = (
        scope: "course" | "lecture",
        objectId: number,
        passwordHash: string,
        password: string,
        viewer: ViewerInfo
      ) =>
        Effect.gen(function* () {
          const addressKey = `password:${viewer.clientAddress ?? "unknown"}`
          yield* limiter.check(addressKey, passwordPerAddress, "wrong passwords from this address")
          if (!(yield* Passwords.verify(Redacted.make(password), passwordHash))) {
            yield* limiter.hit(addressKey, passwordPerAddress)
            return yield* new Forbidden({
              code: "password_incorrect",
              message: `The password of this ${scope} is wrong`
            })
          }
          const grant: GrantClaim = {
            scope,
            objectId,
            fingerprint: fingerprintOf(passwordHash),
            expiresAt: new Date(Date.now() + Duration.toMillis(settings.passwordGrantLifetime))
          }
          yield* setGrantCookie(viewer, grant)
          return grant
        })

      const passwordHashOf = (scope: "course" | "lecture", objectId: number) =>
        Effect.map(
          sql<{ passwordHash: string }>`
            SELECT password_hash FROM access_rules
            WHERE kind = 'password'
              AND ${scope === "course" ? sql`course_id = ${objectId}` : sql`lecture_id = ${objectId}`}
          `,
          (rows) => rows[0]?.passwordHash
        )

      const passwordNotSet = (what: string) =>
        new Conflict({
          code: "password_not_set",
          message: `The ${what} has no password rule; it cannot be unlocked with a password`
        })

      const enterCoursePassword = (handle: CourseHandle, password: string, viewer: ViewerInfo) =>
        Effect.gen(function* () {
          const course = yield* catalogue.loadCourse(handle, viewer)
          const hash = yield* passwordHashOf("course", course.id)
          if (hash === undefined) return yield* passwordNotSet("course")
          const grant = yield* unlock("course", course.id, hash, password, viewer)
          return new PasswordGrant({
            scope: { kind: "course", handle: course.handle },
            expiresAt: grant.expiresAt
          })
        }).pipe(orDieOnSqlError, Effect.withSpan("ViewerActions.enterCoursePassword"))

      const enterLecturePassword = (id: LectureId, password: string, viewer: ViewerInfo) =>
        Effect.gen(function* () {
          const { course } = yield* catalogue.loadLecture(id, viewer)
          const rules = yield* catalogue.rulesOf([course.id], [id])
          const effective = effectiveRules({
            courseId: course.id,
            courseHandle: course.handle,
            lectureId: id,
            courseRules: rules.byCourse.get(course.id) ?? { kinds: [], passwordFingerprint: null },
            lectureRules: rules.byLecture.get(id) ?? { kinds: [], passwordFingerprint: null }
          })
          const hash = yield* passwordHashOf(effective.scope, effective.objectId)
          if (hash === undefined) return yield* passwordNotSet("lecture")
          const grant = yield* unlock(effective.scope, effective.objectId, hash, password, viewer)
          return new PasswordGrant({
            scope:
              effective.scope === "course"
                ? { kind: "course", handle: course.handle }
                : { kind: "lecture", lectureId: id },
            expiresAt: grant.expiresAt
          })
        }).pipe(orDieOnSqlError, Effect.withSpan("ViewerActions.enterLecturePassword"))

      /** The key of the current day, created by the first view of the day. */
      const keyOfToday = Effect.gen(function* () {
        yield* sql`
          INSERT INTO view_keys (day, key)
          VALUES ((now() AT TIME ZONE 'Europe/Berlin')::date, ${Crypto.randomBytes(32)})
          ON CONFLICT (day) DO NOTHING
        `
        const rows = yield* sql<{ key: Buffer }>`
          SELECT key FROM view_keys WHERE day = (now() AT TIME ZONE 'Europe/Berlin')::date
        `
        const key = rows[0]?.key
        if (key === undefined) return yield* Effect.dieMessage("The view key of today is missing")
        return key
      })

      const countView = (id: MediumId, viewer: ViewerInfo) =>
        Effect.gen(function* () {
          const rows = yield* sql<{ lectureId: number; visible: boolean }>`
            SELECT lecture_id, visible FROM media WHERE id = ${id} AND deleted_at IS NULL
          `
          const [medium] = rows
          if (medium === undefined || (!medium.visible && !isModerator(viewer))) {
            return yield* mediumNotFound(id)
          }
          const { lecture } = yield* catalogue
            .loadLecture(LectureId.make(medium.lectureId), viewer)
            .pipe(Effect.catchTag("NotFound", () => mediumNotFound(id)))
          if (!lecture.access.granted) return yield* accessDenied("medium")
          const key = yield* keyOfToday
          const viewerHash = Crypto.createHmac("sha256", key)
            .update(`${id}\n${viewer.clientAddress ?? ""}\n${viewer.userAgent}`, "utf8")
            .digest()
          const marked = yield* sql`
            INSERT INTO view_markers (day, viewer_hash)
            VALUES ((now() AT TIME ZONE 'Europe/Berlin')::date, ${viewerHash})
            ON CONFLICT DO NOTHING
            RETURNING day
          `
          if (marked.length === 0) return
          yield* sql`
            INSERT INTO view_counts (medium_id, day, count)
            VALUES (${id}, (now() AT TIME ZONE 'Europe/Berlin')::date, 1)
            ON CONFLICT (medium_id, day) DO UPDATE SET count = view_counts.count + 1
          `
        }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("ViewerActions.countView"))

      const suggestChapter = (id: LectureId, payload: SuggestChapter, viewer: ViewerInfo) =>
        Effect.gen(function* () {
          const { lecture } = yield* catalogue.loadLecture(id, viewer)
          if (!lecture.access.granted) return yield* accessDenied("lecture")
          yield* limiter.consume(
            `chapter-suggestion:${viewer.clientAddress ?? "unknown"}`,
            suggestionsPerAddress,
            "chapter suggestions from this address"
          )
          const rows = yield* sql`
            INSERT INTO chapters (lecture_id, start_seconds, title, visible, suggested_by_viewer)
            VALUES (${id}, ${payload.startSeconds}, ${payload.title}, false, true)
            RETURNING id, lecture_id, start_seconds, title, visible, suggested_by_viewer
          `
          const [record] = yield* Effect.orDie(
            Schema.decodeUnknown(Schema.Array(ChapterRecord))(rows)
          )
          if (record === undefined) return yield* Effect.dieMessage("INSERT returned no row")
          yield* Effect.logInfo("Chapter suggested").pipe(
            Effect.annotateLogs({ lectureId: id, chapterId: record.id })
          )
          return new Chapter(record)
        }).pipe(orDieOnSqlError, Effect.withSpan("ViewerActions.suggestChapter"))

      return { enterCoursePassword, enterLecturePassword, countView, suggestChapter } as const
    }),
    dependencies: [Catalogue.Default, RateLimiter.Default]
  }
) {}
