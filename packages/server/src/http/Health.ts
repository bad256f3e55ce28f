/**
 * Probes and metrics outside the versioned API: `/health/live` answers while the process
 * runs, `/health/ready` once the database answers and has every migration this server knows,
 * and `/metrics` gives request counts and durations and job counts in the Prometheus text
 * format.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { Migrations } from "@videoag/domain/sql"
import * as Metrics from "./Metrics.js"

export const layer = HttpApiBuilder.Router.use((router) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient

    yield* router.get("/health/live", HttpServerResponse.json({ status: "live" }))

    yield* router.get(
      "/health/ready",
      Effect.gen(function* () {
        const rows = yield* sql<{ latest: number | null }>`
          SELECT max(migration_id) AS latest FROM schema_migrations
        `.pipe(Effect.timeout(Duration.seconds(3)))
        const latest = rows[0]?.latest ?? 0
        return latest >= Migrations.latestMigrationId
          ? yield* HttpServerResponse.json({ status: "ready", migration: latest })
          : yield* HttpServerResponse.json(
              { status: "migrating", migration: latest, expected: Migrations.latestMigrationId },
              { status: 503 }
            )
      }).pipe(
        Effect.catchAll(() =>
          HttpServerResponse.json(
            { status: "unavailable", reason: "The database did not answer" },
            { status: 503 }
          )
        ),
        Effect.orDie
      )
    )

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
