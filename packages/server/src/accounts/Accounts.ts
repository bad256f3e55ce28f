/**
 * Moderator accounts and their sessions. A session is a random token in an HttpOnly cookie;
 * the database stores only its SHA-256 hash, with an expiry, and can revoke it. Failed logins
 * are limited per username and per client address.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Crypto from "node:crypto"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { Unauthorized, User, UserId, UserRole } from "@videoag/domain"
import { orDieOnSqlError } from "@videoag/domain/sql"
import { ServerConfig } from "../ServerConfig.js"
import * as Passwords from "./Passwords.js"
import { loginPerAddress, loginPerUsername, RateLimiter } from "./RateLimiter.js"

/** The moderator that exists in debug mode only. */
export const debugModerator = {
  username: "videoag",
  password: "videoag",
  displayName: "Video AG (debug)"
} as const

export const UserRecord = Schema.Struct({
  id: UserId,
  username: Schema.String,
  displayName: Schema.String,
  role: UserRole,
  passwordHash: Schema.String,
  disabled: Schema.Boolean,
  createdAt: Schema.DateFromSelf,
  deletedAt: Schema.NullOr(Schema.DateFromSelf)
})
export type UserRecord = typeof UserRecord.Type

export const decodeUsers = Schema.decodeUnknown(Schema.Array(UserRecord))

export const toUser = (record: UserRecord) =>
  new User({
    id: record.id,
    username: record.username,
    displayName: record.displayName,
    role: record.role
  })

export const tokenHash = (token: string) =>
  Crypto.createHash("sha256").update(token, "utf8").digest()

const invalidCredentials = new Unauthorized({
  code: "invalid_credentials",
  message: "The username or password is wrong"
})

export class Accounts extends Effect.Service<Accounts>()("@videoag/server/Accounts", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const settings = yield* ServerConfig
    const limiter = yield* RateLimiter

    const findByUsername = (username: string) =>
      Effect.flatMap(
        sql`SELECT * FROM users WHERE username = ${username} AND deleted_at IS NULL`,
        (rows) =>
          Effect.map(Effect.orDie(decodeUsers(rows)), (users) => Option.fromNullable(users[0]))
      )

    /**
     * Checks the credentials and opens a session; returns the user and the cookie token. Fails
     * with `TooManyRequests` while the username or the client address has too many failures.
     */
    const login = (username: string, password: Redacted.Redacted, clientAddress: string | null) =>
      Effect.gen(function* () {
        const normalized = username.trim().toLowerCase()
        const usernameKey = `login-user:${normalized}`
        const addressKey = `login-address:${clientAddress ?? "unknown"}`
        yield* limiter.check(usernameKey, loginPerUsername, "failed logins for this username")
        yield* limiter.check(addressKey, loginPerAddress, "failed logins from this address")
        const record = yield* findByUsername(normalized)
        const storedHash = Option.isSome(record)
          ? record.value.passwordHash
          : yield* Passwords.decoyHash
        const matches = yield* Passwords.verify(password, storedHash)
        if (Option.isNone(record) || !matches || record.value.disabled) {
          yield* limiter.hit(usernameKey, loginPerUsername)
          yield* limiter.hit(addressKey, loginPerAddress)
          yield* Effect.logInfo("Login failed").pipe(Effect.annotateLogs({ username: normalized }))
          return yield* invalidCredentials
        }
        yield* limiter.reset(usernameKey)
        const token = Crypto.randomBytes(32).toString("base64url")
        const expiresAt = new Date(Date.now() + Duration.toMillis(settings.sessionLifetime))
        yield* sql`
          INSERT INTO sessions (token_hash, user_id, expires_at)
          VALUES (${tokenHash(token)}, ${record.value.id}, ${expiresAt})
        `
        yield* Effect.logInfo("Moderator logged in").pipe(
          Effect.annotateLogs({ userId: record.value.id })
        )
        return { user: toUser(record.value), token: Redacted.make(token), expiresAt }
      }).pipe(orDieOnSqlError, Effect.withSpan("Accounts.login"))

    /** The user of a live session, or `Unauthorized`. */
    const authenticate = (token: Redacted.Redacted) =>
      Effect.gen(function* () {
        const value = Redacted.value(token)
        if (value === "") {
          return yield* new Unauthorized({
            code: "authentication_required",
            message:
              "This endpoint needs a moderator session; log in through POST /api/v1/auth/login"
          })
        }
        const rows = yield* sql`
          UPDATE sessions s SET last_seen_at = now()
          FROM users u
          WHERE s.token_hash = ${tokenHash(value)} AND u.id = s.user_id
            AND s.revoked_at IS NULL AND s.expires_at > now()
            AND NOT u.disabled AND u.deleted_at IS NULL
          RETURNING u.*
        `
        const [record] = yield* Effect.orDie(decodeUsers(rows))
        if (record === undefined) {
          return yield* new Unauthorized({
            code: "session_expired",
            message: "The session is unknown, expired or ended; log in again"
          })
        }
        return toUser(record)
      }).pipe(orDieOnSqlError, Effect.withSpan("Accounts.authenticate"))

    const logout = (token: Redacted.Redacted) =>
      sql`UPDATE sessions SET revoked_at = now() WHERE token_hash = ${tokenHash(Redacted.value(token))} AND revoked_at IS NULL`.pipe(
        Effect.asVoid,
        orDieOnSqlError,
        Effect.withSpan("Accounts.logout")
      )

    /** Sets a new password after checking the current one; ends every other session. */
    const changePassword = (
      user: User,
      currentPassword: Redacted.Redacted,
      newPassword: Redacted.Redacted,
      currentToken: Redacted.Redacted
    ) =>
      Effect.gen(function* () {
        const record = yield* findByUsername(user.username)
        if (
          Option.isNone(record) ||
          !(yield* Passwords.verify(currentPassword, record.value.passwordHash))
        ) {
          return yield* new Unauthorized({
            code: "invalid_credentials",
            message: "The current password is wrong"
          })
        }
        const passwordHash = yield* Passwords.hash(newPassword)
        yield* sql`UPDATE users SET password_hash = ${passwordHash}, updated_at = now() WHERE id = ${user.id}`
        yield* sql`
          UPDATE sessions SET revoked_at = now()
          WHERE user_id = ${user.id} AND revoked_at IS NULL
            AND token_hash <> ${tokenHash(Redacted.value(currentToken))}
        `
        yield* sql`
          INSERT INTO change_log (object_type, object_id, field, old_value, new_value, user_id)
          VALUES ('user', ${user.id}, 'password', '"[redacted]"', '"[redacted]"', ${user.id})
        `
        yield* Effect.logInfo("Moderator changed their password").pipe(
          Effect.annotateLogs({ userId: user.id })
        )
      }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("Accounts.changePassword"))

    /**
     * In debug mode, creates or restores the debug moderator. Outside debug mode, disables it if a
     * debug run left it in this database, so its well-known password never works in production.
     */
    const applyDebugModerator = Effect.gen(function* () {
      const { displayName, password, username } = debugModerator
      if (settings.debug) {
        const passwordHash = yield* Passwords.hash(Redacted.make(password))
        yield* sql`
          INSERT INTO users (username, display_name, password_hash, role)
          VALUES (${username}, ${displayName}, ${passwordHash}, 'admin')
          ON CONFLICT (username) DO UPDATE
            SET password_hash = excluded.password_hash, disabled = false, deleted_at = NULL,
                role = 'admin', updated_at = now()
        `
        yield* Effect.logWarning("Debug mode: the moderator videoag with password videoag exists")
        return
      }
      const existing = yield* findByUsername(username)
      if (Option.isSome(existing) && !existing.value.disabled) {
        if (yield* Passwords.verify(Redacted.make(password), existing.value.passwordHash)) {
          yield* sql`UPDATE users SET disabled = true, updated_at = now() WHERE id = ${existing.value.id}`
          yield* sql`UPDATE sessions SET revoked_at = now() WHERE user_id = ${existing.value.id} AND revoked_at IS NULL`
          yield* Effect.logWarning(
            "Disabled the debug moderator videoag, which a debug run had created"
          )
        }
      }
    }).pipe(orDieOnSqlError, Effect.withSpan("Accounts.applyDebugModerator"))

    return { login, authenticate, logout, changePassword, applyDebugModerator } as const
  }),
  dependencies: [RateLimiter.Default]
}) {}
