/**
 * A background fiber that removes what has outlived its use: sessions expired for a month,
 * rate-limit buckets older than a day, and view keys and markers of past days (after which
 * the markers can no longer be linked to anyone). Every replica runs it; the deletes are
 * idempotent.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"

export const cleanUp = Effect.gen(function* () {
  const sql = yield* PgClient.PgClient
  yield* sql`DELETE FROM sessions WHERE expires_at < now() - interval '30 days'`
  yield* sql`DELETE FROM rate_limit_buckets WHERE window_started_at < now() - interval '1 day'`
  yield* sql`DELETE FROM view_markers WHERE day < (now() AT TIME ZONE 'Europe/Berlin')::date`
  yield* sql`DELETE FROM view_keys WHERE day < (now() AT TIME ZONE 'Europe/Berlin')::date`
}).pipe(Effect.withSpan("Housekeeping.cleanUp"))

export const layer = Layer.scopedDiscard(
  cleanUp.pipe(
    Effect.catchAllCause((cause) => Effect.logWarning("Housekeeping failed", cause)),
    Effect.repeat(Schedule.spaced(Duration.hours(1))),
    Effect.annotateLogs({ service: "Housekeeping" }),
    Effect.forkScoped
  )
)
