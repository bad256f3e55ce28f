/**
 * Creates a moderator account outside debug mode, e.g. the first admin of a new installation:
 *
 *     VIDEOAG_MODERATOR_PASSWORD=… npm run create-moderator -- --username erika --display-name "Erika Mustermann"
 *
 * The password comes from `VIDEOAG_MODERATOR_PASSWORD` or, when that is unset, from the first
 * line of standard input, so it never appears in the process list. The account gets the role
 * `admin` unless `--role moderator` is given. An existing username is an error unless
 * `--reset-password` is given, which sets the new password, enables the account and ends its
 * sessions.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { CreateUser } from "@videoag/domain"
import * as Passwords from "./accounts/Passwords.js"

export class CreateModeratorError extends Data.TaggedError("CreateModeratorError")<{
  readonly message: string
}> {}

export interface CreateModeratorOptions {
  readonly username: string
  readonly displayName: string
  readonly role: "moderator" | "admin"
  readonly password: Redacted.Redacted
  readonly resetPassword: boolean
}

export const usage =
  "Usage: create-moderator --username NAME --display-name TEXT [--role admin|moderator] [--reset-password]\n" +
  "The password is read from VIDEOAG_MODERATOR_PASSWORD or the first line of standard input."

/** Parses the command-line arguments (without the password). */
export const parseArguments = (
  args: ReadonlyArray<string>
): Either.Either<Omit<CreateModeratorOptions, "password">, string> => {
  const values = new Map<string, string>()
  let resetPassword = false
  for (let index = 0; index < args.length; index++) {
    const argument = args[index] ?? ""
    if (argument === "--reset-password") {
      resetPassword = true
      continue
    }
    if (!["--username", "--display-name", "--role"].includes(argument)) {
      return Either.left(`Unknown argument ${JSON.stringify(argument)}\n${usage}`)
    }
    const value = args[index + 1]
    if (value === undefined) return Either.left(`${argument} needs a value\n${usage}`)
    values.set(argument, value)
    index++
  }
  const username = values.get("--username")
  if (username === undefined) return Either.left(`--username is missing\n${usage}`)
  const role = values.get("--role") ?? "admin"
  if (role !== "admin" && role !== "moderator") {
    return Either.left(`--role must be admin or moderator, got ${JSON.stringify(role)}`)
  }
  return Either.right({
    username,
    displayName: values.get("--display-name") ?? username,
    role,
    resetPassword
  })
}

/** Creates the account, or resets its password; returns the user id. */
export const createModerator = (options: CreateModeratorOptions) =>
  Effect.flatMap(PgClient.PgClient, (sql) => write(sql, options).pipe(sql.withTransaction)).pipe(
    Effect.withSpan("createModerator")
  )

const write = (sql: PgClient.PgClient, options: CreateModeratorOptions) =>
  Effect.gen(function* () {
    const checked = yield* Schema.decodeUnknown(CreateUser)({
      username: options.username,
      displayName: options.displayName,
      password: Redacted.value(options.password),
      role: options.role
    }).pipe(
      Effect.mapError(
        (error) =>
          new CreateModeratorError({
            message: ParseResult.ArrayFormatter.formatErrorSync(error)
              .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
              .join("; ")
          })
      )
    )
    const passwordHash = yield* Passwords.hash(options.password)
    const existing = yield* sql<{ id: number }>`
      SELECT id FROM users WHERE username = ${checked.username} AND deleted_at IS NULL
    `
    const [found] = existing
    if (found !== undefined) {
      if (!options.resetPassword) {
        return yield* new CreateModeratorError({
          message: `The username ${checked.username} exists; add --reset-password to set a new password`
        })
      }
      yield* sql`
        UPDATE users SET password_hash = ${passwordHash}, disabled = false, updated_at = now()
        WHERE id = ${found.id}
      `
      yield* sql`UPDATE sessions SET revoked_at = now() WHERE user_id = ${found.id} AND revoked_at IS NULL`
      yield* sql`
        INSERT INTO change_log (object_type, object_id, field, old_value, new_value, user_id)
        VALUES ('user', ${found.id}, 'password', '"[redacted]"', '"[redacted]"', NULL)
      `
      yield* Effect.logInfo("Reset the password of a moderator").pipe(
        Effect.annotateLogs({ userId: found.id, username: checked.username })
      )
      return found.id
    }
    const [created] = yield* sql<{ id: number }>`
      INSERT INTO users (username, display_name, password_hash, role)
      VALUES (${checked.username}, ${checked.displayName}, ${passwordHash}, ${checked.role})
      RETURNING id
    `
    if (created === undefined) return yield* Effect.dieMessage("INSERT INTO users returned no row")
    yield* sql`
      INSERT INTO change_log (object_type, object_id, field, old_value, new_value, user_id)
      VALUES ('user', ${created.id}, 'created', 'null',
              ${JSON.stringify({ username: checked.username, displayName: checked.displayName, role: checked.role })}::jsonb,
              NULL)
    `
    yield* Effect.logInfo("Created a moderator").pipe(
      Effect.annotateLogs({ userId: created.id, username: checked.username, role: checked.role })
    )
    return created.id
  })
