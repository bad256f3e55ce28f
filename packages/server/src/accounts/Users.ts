/**
 * Moderator accounts as admins manage them. Every change is logged; passwords only as
 * `[redacted]`. Disabling or deleting an account, or setting its password, ends its sessions,
 * and the last active admin can be neither demoted, disabled nor deleted.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import {
  Conflict,
  Forbidden,
  NotFound,
  UserAccount,
  type CreateUser,
  type UpdateUser,
  type User,
  type UserId
} from "@videoag/domain"
import { orDieOnSqlError, sqlStateOf, SqlState } from "@videoag/domain/sql"
import { ChangeLog, created, deleted, diff, redacted } from "../changelog/ChangeLog.js"
import { decodeUsers, type UserRecord } from "./Accounts.js"
import * as Passwords from "./Passwords.js"

const toAccount = (record: UserRecord) =>
  new UserAccount({
    id: record.id,
    username: record.username,
    displayName: record.displayName,
    role: record.role,
    disabled: record.disabled,
    createdAt: record.createdAt
  })

const snapshot = (record: UserRecord) => ({
  username: record.username,
  displayName: record.displayName,
  role: record.role,
  disabled: record.disabled
})

export const requireAdmin = (user: User) =>
  user.role === "admin"
    ? Effect.void
    : new Forbidden({
        code: "admin_required",
        message: "Only moderators with the role admin may manage moderator accounts"
      })

export class Users extends Effect.Service<Users>()("@videoag/server/Users", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const changeLog = yield* ChangeLog

    const decode = (rows: ReadonlyArray<unknown>) => Effect.orDie(decodeUsers(rows))

    const lock = (id: UserId) =>
      Effect.gen(function* () {
        const [record] = yield* Effect.flatMap(
          sql`SELECT * FROM users WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`,
          decode
        )
        if (record === undefined) {
          return yield* new NotFound({
            code: "user_not_found",
            message: `No moderator account with the id ${id}`
          })
        }
        return record
      })

    /** Fails when no active admin other than `id` would remain. */
    const keepAnAdmin = (id: UserId) =>
      Effect.gen(function* () {
        const rows = yield* sql<{ count: number }>`
          SELECT count(*)::int AS count FROM users
          WHERE role = 'admin' AND NOT disabled AND deleted_at IS NULL AND id <> ${id}
        `
        if ((rows[0]?.count ?? 0) === 0) {
          return yield* new Conflict({
            code: "last_admin",
            message: "This is the last active admin; make another moderator admin first"
          })
        }
      })

    const list = Effect.flatMap(
      sql`SELECT * FROM users WHERE deleted_at IS NULL ORDER BY username`,
      decode
    ).pipe(
      Effect.map((records) => records.map(toAccount)),
      orDieOnSqlError,
      Effect.withSpan("Users.list")
    )

    const create = (payload: CreateUser, actor: User) =>
      Effect.gen(function* () {
        const passwordHash = yield* Passwords.hash(Redacted.make(payload.password))
        const rows = yield* sql`
          INSERT INTO users (username, display_name, password_hash, role)
          VALUES (${payload.username}, ${payload.displayName}, ${passwordHash}, ${payload.role})
          RETURNING *
        `.pipe(
          Effect.catchTag("SqlError", (error) =>
            sqlStateOf(error) === SqlState.uniqueViolation
              ? new Conflict({
                  code: "username_taken",
                  message: `Another account uses the username ${JSON.stringify(payload.username)}`
                })
              : Effect.die(error)
          )
        )
        const [record] = yield* decode(rows)
        if (record === undefined)
          return yield* Effect.dieMessage("INSERT INTO users returned no row")
        yield* changeLog.recordChanges("user", record.id, actor.id, created(snapshot(record)))
        return toAccount(record)
      }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Users.create"))

    const update = (id: UserId, payload: UpdateUser, actor: User) =>
      Effect.gen(function* () {
        const before = yield* lock(id)
        const losesAdmin =
          before.role === "admin" &&
          !before.disabled &&
          ((payload.role !== undefined && payload.role !== "admin") || payload.disabled === true)
        if (losesAdmin) yield* keepAnAdmin(id)
        const passwordHash =
          payload.password === undefined
            ? before.passwordHash
            : yield* Passwords.hash(Redacted.make(payload.password))
        const [after] = yield* Effect.flatMap(
          sql`
            UPDATE users SET
              display_name = ${payload.displayName ?? before.displayName},
              role = ${payload.role ?? before.role},
              disabled = ${payload.disabled ?? before.disabled},
              password_hash = ${passwordHash},
              updated_at = now()
            WHERE id = ${id}
            RETURNING *
          `,
          decode
        )
        if (after === undefined) return yield* Effect.dieMessage("UPDATE users returned no row")
        const changes = [
          ...diff(snapshot(before), snapshot(after), ["displayName", "role", "disabled"]),
          ...(payload.password === undefined
            ? []
            : [{ field: "password", oldValue: redacted, newValue: redacted }])
        ]
        yield* changeLog.recordChanges("user", id, actor.id, changes)
        if (after.disabled || payload.password !== undefined) {
          yield* sql`UPDATE sessions SET revoked_at = now() WHERE user_id = ${id} AND revoked_at IS NULL`
        }
        return toAccount(after)
      }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Users.update"))

    const remove = (id: UserId, actor: User) =>
      Effect.gen(function* () {
        const before = yield* lock(id)
        if (before.role === "admin" && !before.disabled) yield* keepAnAdmin(id)
        yield* sql`UPDATE users SET deleted_at = now(), disabled = true, updated_at = now() WHERE id = ${id}`
        yield* sql`UPDATE sessions SET revoked_at = now() WHERE user_id = ${id} AND revoked_at IS NULL`
        yield* changeLog.recordChanges("user", id, actor.id, deleted(snapshot(before)))
      }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Users.remove"))

    return { list, create, update, remove } as const
  }),
  dependencies: [ChangeLog.Default]
}) {}
