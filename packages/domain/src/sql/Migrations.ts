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
import api from "./migrations/0002_api.js"
import orchestrator from "./migrations/0003_orchestrator.js"
import media from "./migrations/0004_media.js"

/** Advisory lock key for migrations: "VAGM" as a 32-bit integer. */
const migrationLockKey = 0x5641474d

export const migrations = {
  "0001_initial": initial,
  "0002_api": api,
  "0003_orchestrator": orchestrator,
  "0004_media": media
}

const migrationsTable = "schema_migrations"

/** Id of the newest migration; readiness checks compare it with the applied ones. */
export const latestMigrationId = 4

/**
 * Applies migrations with an id below the newest applied one that are still missing. The
 * migrator only runs ids above the newest, so a database that got migration 3 before
 * migration 2 existed (branches merged in another order) would never get 2 otherwise.
 */
const applySkipped = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ migrationId: number }>`
    SELECT migration_id FROM ${sql(migrationsTable)}
  `
  const present = new Set(rows.map((row) => row.migrationId))
  const skipped: Array<readonly [id: number, name: string]> = []
  for (const [key, migration] of Object.entries(migrations)) {
    const [digits = "", ...words] = key.split("_")
    const id = Number(digits)
    if (present.has(id)) continue
    yield* migration
    const name = words.join("_")
    yield* sql`INSERT INTO ${sql(migrationsTable)} (migration_id, name) VALUES (${id}, ${name})`
    skipped.push([id, name])
  }
  return skipped
})

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
      Effect.zipWith(
        PgMigrator.run({
          loader: PgMigrator.fromRecord(migrations),
          table: migrationsTable
        }),
        applySkipped,
        (inOrder, skipped) => [...skipped, ...inOrder]
      )
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
