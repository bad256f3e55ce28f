/**
 * Announcements: viewers read the ones visible now; moderators manage all of them.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  Announcement,
  AnnouncementId,
  AnnouncementLevel,
  NotFound,
  ValidationError,
  type CreateAnnouncement,
  type UpdateAnnouncement,
  type User
} from "@videoag/domain"
import { orDieOnSqlError } from "@videoag/domain/sql"
import { ChangeLog, created, deleted, diff } from "../changelog/ChangeLog.js"

const AnnouncementRecord = Schema.Struct({
  id: AnnouncementId,
  text: Schema.String,
  level: AnnouncementLevel,
  visibleFrom: Schema.NullOr(Schema.DateFromSelf),
  visibleUntil: Schema.NullOr(Schema.DateFromSelf),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf
})
const decodeAnnouncements = Schema.decodeUnknown(Schema.Array(AnnouncementRecord))

const columns = "id, text, level, visible_from, visible_until, created_at, updated_at"
const fields = ["text", "level", "visibleFrom", "visibleUntil"] as const

export class Announcements extends Effect.Service<Announcements>()(
  "@videoag/server/Announcements",
  {
    effect: Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const changeLog = yield* ChangeLog
      const decode = (rows: ReadonlyArray<unknown>) =>
        Effect.map(Effect.orDie(decodeAnnouncements(rows)), (records) =>
          records.map((record) => new Announcement(record))
        )

      const lock = (id: AnnouncementId) =>
        Effect.gen(function* () {
          const [record] = yield* Effect.flatMap(
            sql`SELECT ${sql.literal(columns)} FROM announcements WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`,
            decode
          )
          if (record === undefined) {
            return yield* new NotFound({
              code: "announcement_not_found",
              message: `No announcement with the id ${id}`
            })
          }
          return record
        })

      /** Announcements visible now, or all of them when `all` is set. */
      const list = (all: boolean) =>
        Effect.flatMap(
          sql`
            SELECT ${sql.literal(columns)} FROM announcements
            WHERE deleted_at IS NULL
              AND ${
                all
                  ? sql`true`
                  : sql`(visible_from IS NULL OR visible_from <= now())
                        AND (visible_until IS NULL OR visible_until > now())`
              }
            ORDER BY CASE level WHEN 'important' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                     created_at DESC, id DESC
          `,
          decode
        ).pipe(orDieOnSqlError, Effect.withSpan("Announcements.list"))

      const create = (payload: CreateAnnouncement, user: User) =>
        Effect.gen(function* () {
          const [record] = yield* Effect.flatMap(
            sql`
              INSERT INTO announcements (text, level, visible_from, visible_until)
              VALUES (${payload.text}, ${payload.level}, ${payload.visibleFrom}, ${payload.visibleUntil})
              RETURNING ${sql.literal(columns)}
            `,
            decode
          )
          if (record === undefined) return yield* Effect.dieMessage("INSERT returned no row")
          yield* changeLog.recordChanges("announcement", record.id, user.id, created({ ...record }))
          return record
        }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Announcements.create"))

      const update = (id: AnnouncementId, payload: UpdateAnnouncement, user: User) =>
        Effect.gen(function* () {
          const before = yield* lock(id)
          const next = {
            text: payload.text ?? before.text,
            level: payload.level ?? before.level,
            visibleFrom:
              payload.visibleFrom === undefined ? before.visibleFrom : payload.visibleFrom,
            visibleUntil:
              payload.visibleUntil === undefined ? before.visibleUntil : payload.visibleUntil
          }
          if (
            next.visibleFrom !== null &&
            next.visibleUntil !== null &&
            next.visibleUntil <= next.visibleFrom
          ) {
            return yield* new ValidationError({
              code: "invalid_request",
              message: "Invalid visibleUntil: Expected visibleUntil after visibleFrom",
              field: "visibleUntil"
            })
          }
          const [after] = yield* Effect.flatMap(
            sql`
              UPDATE announcements SET text = ${next.text}, level = ${next.level},
                visible_from = ${next.visibleFrom}, visible_until = ${next.visibleUntil},
                updated_at = now()
              WHERE id = ${id}
              RETURNING ${sql.literal(columns)}
            `,
            decode
          )
          if (after === undefined) return yield* Effect.dieMessage("UPDATE returned no row")
          yield* changeLog.recordChanges("announcement", id, user.id, diff(before, after, fields))
          return after
        }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Announcements.update"))

      const remove = (id: AnnouncementId, user: User) =>
        Effect.gen(function* () {
          const before = yield* lock(id)
          yield* sql`UPDATE announcements SET deleted_at = now(), updated_at = now() WHERE id = ${id}`
          yield* changeLog.recordChanges("announcement", id, user.id, deleted({ ...before }))
        }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Announcements.remove"))

      return { list, create, update, remove } as const
    }),
    dependencies: [ChangeLog.Default]
  }
) {}
