/**
 * Leader election over a PostgreSQL advisory lock held on a dedicated connection: one
 * orchestrator instance runs the loops, the others wait. The lock ends with the connection, so
 * a leader that dies releases it at once.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

/** Advisory lock key of the orchestrator leader: "VAGO" as a 32-bit integer. */
export const leaderLockKey = 0x5641474f

export class LeadershipLost extends Data.TaggedError("LeadershipLost")<{
  readonly cause: unknown
}> {}

export interface LeadershipOptions {
  readonly retryInterval: Duration.DurationInput
  readonly checkInterval: Duration.DurationInput
}

/**
 * Waits until this instance holds the leader lock, for the lifetime of the scope. Returns an
 * effect that runs while the lock is held and fails with `LeadershipLost` once the lock's
 * connection breaks.
 */
export const acquire = (options: LeadershipOptions) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const connection = yield* sql.reserve
    // Server-side keepalives end the session of a leader whose host vanished without closing
    // its connection within about 20 seconds, which frees the lock for a standby.
    yield* connection
      .executeRaw(
        "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 3; SET tcp_keepalives_count = 3",
        []
      )
      .pipe(Effect.ignore)
    const tryLock = Effect.map(
      connection.executeValues("SELECT pg_try_advisory_lock($1)", [leaderLockKey]),
      (rows) => rows[0]?.[0] === true
    )
    let announced = false
    while (!(yield* tryLock)) {
      if (!announced) {
        yield* Effect.logInfo("Another orchestrator is the leader; standing by")
        announced = true
      }
      yield* Effect.sleep(options.retryInterval)
    }
    yield* Effect.logInfo("Became the orchestrator leader")
    yield* Effect.addFinalizer(() =>
      connection.executeValues("SELECT pg_advisory_unlock($1)", [leaderLockKey]).pipe(Effect.ignore)
    )
    return connection.executeValues("SELECT 1", []).pipe(
      Effect.repeat(Schedule.spaced(options.checkInterval)),
      Effect.mapError((cause) => new LeadershipLost({ cause })),
      Effect.zipRight(Effect.never)
    )
  }).pipe(Effect.withSpan("Leadership.acquire"))
