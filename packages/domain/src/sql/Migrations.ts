/**
 * Runs the SQL migrations at start. Every process calls it; a transaction-scoped advisory lock
 * lets one process migrate while the others wait, then find nothing left to do. The migrations
 * table is created here, under the lock, because the migrator's own check for it fails a
 * statement, which would abort the surrounding transaction.
 */
import * as PgMigrator from "@effect/sql-pg/PgMigrator"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import initial from "./migrations/0001_initial.js"
import orchestrator from "./migrations/0003_orchestrator.js"
import media from "./migrations/0004_media.js"

/** Advisory lock key for migrations: "VAGM" as a 32-bit integer. */
const migrationLockKey = 0x5641474d

export const migrations = {
  "0001_initial": initial,
  "0003_orchestrator": orchestrator,
  "0004_media": media
}

const migrationsTable = "schema_migrations"

/** Id of the newest migration; readiness checks compare it with the applied ones. */
export const latestMigrationId = 4

export const run = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const applied = yield* sql.withTransaction(
    Effect.zipRight(
      Effect.zipRight(
        sql`SELECT pg_advisory_xact_lock(${migrationLockKey})`,
        sql`
          CREATE TABLE IF NOT EXISTS ${sql(migrationsTable)} (
            migration_id integer PRIMARY KEY,
            created_at timestamptz NOT NULL DEFAULT now(),
            name text NOT NULL
          )
        `
      ),
      PgMigrator.run({
        loader: PgMigrator.fromRecord(migrations),
        table: migrationsTable
      })
    )
  )
  for (const [id, name] of applied) {
    yield* Effect.logInfo("Applied migration").pipe(
      Effect.annotateLogs({ migrationId: id, migrationName: name })
    )
  }
  return applied
}).pipe(Effect.withSpan("Migrations.run"))

/** Runs the migrations when the layer is built. Needs the platform context for the migrator. */
export const layer = Layer.effectDiscard(run)
