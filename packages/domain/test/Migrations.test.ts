import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as PgMigrator from "@effect/sql-pg/PgMigrator"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Database from "../src/sql/Database.js"
import * as Migrations from "../src/sql/Migrations.js"
import { TestDatabase } from "../src/testing/index.js"

const freshDatabase = Layer.unwrapScoped(
  Effect.map(TestDatabase.createDatabase, (url) =>
    Layer.merge(Database.layer({ url, applicationName: "migrations-test" }), NodeContext.layer)
  )
)

describe("Migrations", () => {
  it.scoped("concurrent runs apply each migration once", () =>
    Effect.gen(function* () {
      const results = yield* Effect.all([Migrations.run, Migrations.run, Migrations.run], {
        concurrency: "unbounded"
      })
      const migrationCount = Object.keys(Migrations.migrations).length
      expect(results.map((applied) => applied.length).sort()).toEqual([0, 0, migrationCount])

      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ migrationId: number }>`
        SELECT migration_id FROM schema_migrations ORDER BY migration_id
      `
      expect(rows.map((row) => row.migrationId)).toEqual(
        Object.keys(Migrations.migrations).map((name) => Number(name.slice(0, 4)))
      )
      expect(rows.at(-1)?.migrationId).toBe(Migrations.latestMigrationId)

      const again = yield* Migrations.run
      expect(again).toEqual([])
    }).pipe(Effect.provide(freshDatabase))
  )

  it.scoped("applies a migration that a newer one overtook", () =>
    Effect.gen(function* () {
      const { "0002_api": _skipped, ...others } = Migrations.migrations
      yield* PgMigrator.run({ loader: PgMigrator.fromRecord(others), table: "schema_migrations" })
      const applied = yield* Migrations.run
      expect(applied).toEqual([[2, "api"]])

      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ migrationId: number }>`
        SELECT migration_id FROM schema_migrations ORDER BY migration_id
      `
      expect(rows.map((row) => row.migrationId)).toEqual(
        Object.keys(Migrations.migrations).map((name) => Number(name.slice(0, 4)))
      )
      const tables =
        yield* sql`SELECT 1 FROM information_schema.tables WHERE table_name = 'view_keys'`
      expect(tables).toHaveLength(1)
      expect(yield* Migrations.run).toEqual([])
    }).pipe(Effect.provide(freshDatabase))
  )

  it.scoped("creates every table of the data model", () =>
    Effect.gen(function* () {
      yield* Migrations.run
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ tableName: string }>`
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' ORDER BY table_name
      `
      expect(rows.map((row) => row.tableName)).toEqual([
        "access_rules",
        "announcements",
        "change_log",
        "chapters",
        "courses",
        "featured",
        "incoming_files",
        "incoming_scans",
        "job_dependencies",
        "job_schedules",
        "jobs",
        "lectures",
        "media",
        "published_file_problems",
        "rate_limit_buckets",
        "schema_migrations",
        "sessions",
        "source_files",
        "thumbnails",
        "users",
        "view_counts",
        "view_keys",
        "view_markers"
      ])
    }).pipe(Effect.provide(freshDatabase))
  )

  it.scoped("constraints reject invalid rows", () =>
    Effect.gen(function* () {
      yield* Migrations.run
      const sql = yield* SqlClient.SqlClient
      const violation = (statement: Effect.Effect<unknown, unknown>) =>
        Effect.map(Effect.flip(statement), (error) =>
          String((error as { cause?: { code?: string } }).cause?.code)
        )

      expect(
        yield* violation(sql`INSERT INTO courses (handle, title) VALUES ('Bad Handle', 'x')`)
      ).toBe("23514")
      yield* sql`INSERT INTO courses (handle, title) VALUES ('analysis', 'Analysis I')`
      expect(
        yield* violation(sql`INSERT INTO courses (handle, title) VALUES ('analysis', 'Again')`)
      ).toBe("23505")
      expect(
        yield* violation(sql`INSERT INTO lectures (course_id, start_time) VALUES (999, now())`)
      ).toBe("23503")
      expect(
        yield* violation(
          sql`INSERT INTO jobs (type, input, status) VALUES ('media.probe', '{}', 'lost')`
        )
      ).toBe("23514")
      expect(
        yield* violation(sql`INSERT INTO access_rules (course_id, kind) VALUES (1, 'password')`)
      ).toBe("23514")
    }).pipe(Effect.provide(freshDatabase))
  )
})
