/**
 * Helpers for database errors that no caller can act on.
 */
import { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"

/** Turns database errors into defects; the API answers them with 500 and logs the cause. */
export const orDieOnSqlError = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, Exclude<E, SqlError>, R> =>
  Effect.catchIf(
    effect,
    (error): error is E & SqlError => error instanceof SqlError,
    Effect.die
  ) as Effect.Effect<A, Exclude<E, SqlError>, R>

/** The PostgreSQL error code (SQLSTATE) behind a database error, if any. */
export const sqlStateOf = (error: SqlError): string | undefined => {
  const cause: unknown = error.cause
  return typeof cause === "object" &&
    cause !== null &&
    "code" in cause &&
    typeof cause.code === "string"
    ? cause.code
    : undefined
}

export const SqlState = {
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  checkViolation: "23514"
} as const
