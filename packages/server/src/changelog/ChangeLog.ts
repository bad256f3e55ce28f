/**
 * Writes and reads the change log. Every moderator write calls `recordChanges` inside its own
 * transaction, so a write and its log rows are stored together or not at all. Values are
 * stored as JSON; dates as ISO strings, and secrets only as `"[redacted]"`.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ChangeLogEntry, ChangeLogPage, UserId, type ChangeLogObjectType } from "@videoag/domain"
import { orDieOnSqlError } from "@videoag/domain/sql"

export const redacted = "[redacted]"

export interface Change {
  readonly field: string
  readonly oldValue: unknown
  readonly newValue: unknown
}

const toJson = (value: unknown): unknown =>
  value instanceof Date
    ? value.toISOString()
    : Array.isArray(value)
      ? value.map(toJson)
      : value !== null && typeof value === "object"
        ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toJson(inner)]))
        : (value ?? null)

/** The fields of `fields` whose values differ between `before` and `after`. */
export const diff = <T extends Record<string, unknown>>(
  before: T,
  after: T,
  fields: ReadonlyArray<keyof T & string>
): ReadonlyArray<Change> =>
  fields.flatMap((field) => {
    const oldValue = toJson(before[field])
    const newValue = toJson(after[field])
    return JSON.stringify(oldValue) === JSON.stringify(newValue)
      ? []
      : [{ field, oldValue, newValue }]
  })

/** The snapshot of a created object, as one `created` change. */
export const created = (snapshot: Record<string, unknown>): ReadonlyArray<Change> => [
  { field: "created", oldValue: null, newValue: toJson(snapshot) }
]

/** The snapshot of a deleted object, as one `deleted` change. */
export const deleted = (snapshot: Record<string, unknown>): ReadonlyArray<Change> => [
  { field: "deleted", oldValue: toJson(snapshot), newValue: null }
]

const EntryRecord = Schema.Struct({
  id: Schema.Number,
  objectType: Schema.String,
  objectId: Schema.Number,
  field: Schema.String,
  oldValue: Schema.Unknown,
  newValue: Schema.Unknown,
  userId: Schema.NullOr(UserId),
  username: Schema.NullOr(Schema.String),
  changedAt: Schema.DateFromSelf,
  total: Schema.Number
})
const decodeEntries = Schema.decodeUnknown(Schema.Array(EntryRecord))

export interface ChangeLogFilter {
  readonly objectType?: ChangeLogObjectType | undefined
  readonly objectId?: number | undefined
  readonly since?: Date | undefined
  readonly limit: number
  readonly offset: number
}

export class ChangeLog extends Effect.Service<ChangeLog>()("@videoag/server/ChangeLog", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient

    /** Inserts one row per change; call it in the transaction of the write it describes. */
    const recordChanges = (
      objectType: ChangeLogObjectType,
      objectId: number,
      userId: UserId,
      changes: ReadonlyArray<Change>
    ) =>
      Effect.forEach(
        changes,
        (change) => sql`
          INSERT INTO change_log (object_type, object_id, field, old_value, new_value, user_id)
          VALUES (${objectType}, ${objectId}, ${change.field},
                  ${JSON.stringify(toJson(change.oldValue))}::jsonb,
                  ${JSON.stringify(toJson(change.newValue))}::jsonb, ${userId})
        `,
        { discard: true }
      ).pipe(Effect.withSpan("ChangeLog.recordChanges"))

    const list = (filter: ChangeLogFilter) =>
      Effect.gen(function* () {
        const conditions = [
          filter.objectType === undefined ? sql`true` : sql`c.object_type = ${filter.objectType}`,
          filter.objectId === undefined ? sql`true` : sql`c.object_id = ${filter.objectId}`,
          filter.since === undefined ? sql`true` : sql`c.changed_at >= ${filter.since}`
        ]
        const rows = yield* sql`
          SELECT c.id, c.object_type, c.object_id, c.field, c.old_value, c.new_value, c.user_id,
                 u.username, c.changed_at, count(*) OVER () AS total
          FROM change_log c LEFT JOIN users u ON u.id = c.user_id
          WHERE ${sql.and(conditions)}
          ORDER BY c.changed_at DESC, c.id DESC
          LIMIT ${filter.limit} OFFSET ${filter.offset}
        `
        const records = yield* Effect.orDie(decodeEntries(rows))
        const total =
          records[0]?.total ??
          (filter.offset > 0
            ? Number(
                (yield* sql<{ count: number }>`
                  SELECT count(*)::int AS count FROM change_log c WHERE ${sql.and(conditions)}
                `)[0]?.count ?? 0
              )
            : 0)
        return new ChangeLogPage({
          items: records.map(({ total: _total, ...entry }) => new ChangeLogEntry(entry)),
          total,
          limit: filter.limit,
          offset: filter.offset
        })
      }).pipe(orDieOnSqlError, Effect.withSpan("ChangeLog.list"))

    return { recordChanges, list } as const
  })
}) {}
