/**
 * `GET /metrics` beside the versioned API: request counts and durations and job counts in the
 * Prometheus text format.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Metrics from "./Metrics.js"

export const layer = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    yield* router.get(
      "/metrics",
      Effect.gen(function* () {
        const jobs = yield* sql<{ type: string; status: string; count: number }>`
          SELECT type, status, count(*)::int AS count FROM jobs GROUP BY type, status
        `.pipe(Effect.orElseSucceed(() => []))
        return HttpServerResponse.text(Metrics.render(jobs), {
          contentType: "text/plain; version=0.0.4; charset=utf-8"
        })
      })
    )
  })
)
