/**
 * Fixed-window rate limits stored in PostgreSQL, so every server replica counts together. Keys
 * (which may contain a client address or username) are stored only as HMAC-SHA256 hashes under
 * the server secret, and buckets older than a day are removed by the housekeeping fiber.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Crypto from "node:crypto"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { TooManyRequests } from "@videoag/domain"
import { orDieOnSqlError } from "@videoag/domain/sql"
import { ServerConfig } from "../ServerConfig.js"

export interface Limit {
  /** Attempts allowed per window. */
  readonly max: number
  readonly window: Duration.Duration
}

/** Failed logins per username, and per client address, in 15 minutes. */
export const loginPerUsername: Limit = { max: 10, window: Duration.minutes(15) }
export const loginPerAddress: Limit = { max: 30, window: Duration.minutes(15) }
/** Wrong course or lecture passwords per client address in 15 minutes. */
export const passwordPerAddress: Limit = { max: 10, window: Duration.minutes(15) }
/** Chapter suggestions per client address in an hour. */
export const suggestionsPerAddress: Limit = { max: 20, window: Duration.hours(1) }

export class RateLimiter extends Effect.Service<RateLimiter>()("@videoag/server/RateLimiter", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const settings = yield* ServerConfig
    const hashKey = (key: string) =>
      Crypto.createHmac("sha256", Redacted.value(settings.serverSecret))
        .update(`rate-limit:${key}`, "utf8")
        .digest()

    const rejected = (retryAfterSeconds: number, what: string) =>
      new TooManyRequests({
        code: "rate_limited",
        message: `Too many ${what}; try again in ${retryAfterSeconds} seconds`,
        retryAfterSeconds
      })

    /** Fails with `TooManyRequests` when the bucket of `key` is exhausted, without counting. */
    const check = (key: string, limit: Limit, what: string) =>
      Effect.gen(function* () {
        const seconds = Duration.toSeconds(limit.window)
        const rows = yield* sql<{ count: number; retryAfter: number }>`
          SELECT count, ceil(extract(epoch FROM window_started_at + make_interval(secs => ${seconds}) - now()))::int AS retry_after
          FROM rate_limit_buckets
          WHERE key_hash = ${hashKey(key)}
            AND window_started_at > now() - make_interval(secs => ${seconds})
        `
        const [bucket] = rows
        if (bucket !== undefined && bucket.count >= limit.max) {
          return yield* rejected(Math.max(1, bucket.retryAfter), what)
        }
      }).pipe(orDieOnSqlError, Effect.withSpan("RateLimiter.check"))

    /** Counts one attempt in the bucket of `key`. */
    const hit = (key: string, limit: Limit) =>
      Effect.asVoid(
        sql`
          INSERT INTO rate_limit_buckets (key_hash, window_started_at, count)
          VALUES (${hashKey(key)}, now(), 1)
          ON CONFLICT (key_hash) DO UPDATE SET
            count = CASE
              WHEN rate_limit_buckets.window_started_at <= now() - make_interval(secs => ${Duration.toSeconds(limit.window)})
              THEN 1 ELSE rate_limit_buckets.count + 1 END,
            window_started_at = CASE
              WHEN rate_limit_buckets.window_started_at <= now() - make_interval(secs => ${Duration.toSeconds(limit.window)})
              THEN now() ELSE rate_limit_buckets.window_started_at END
        `
      ).pipe(orDieOnSqlError, Effect.withSpan("RateLimiter.hit"))

    /** Checks, then counts: for attempts that count whether or not they succeed. */
    const consume = (key: string, limit: Limit, what: string) =>
      Effect.zipRight(check(key, limit, what), hit(key, limit))

    const reset = (key: string) =>
      Effect.asVoid(sql`DELETE FROM rate_limit_buckets WHERE key_hash = ${hashKey(key)}`).pipe(
        orDieOnSqlError
      )

    return { check, hit, consume, reset } as const
  })
}) {}
