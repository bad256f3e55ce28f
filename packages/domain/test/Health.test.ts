import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import pg from "pg"
import { inject } from "vitest"
import * as Database from "../src/sql/Database.js"
import * as Health from "../src/sql/Health.js"
import * as Migrations from "../src/sql/Migrations.js"
import { testDatabaseAdminUrlKey } from "../src/testing/ProvidedContext.js"
import { TestDatabase } from "../src/testing/index.js"

/** A fresh database without migrations, and its name. */
const unmigratedDatabase = Effect.map(TestDatabase.createDatabase, (url) => ({
  layer: Database.layer({ url, applicationName: "health-test" }),
  name: new URL(Redacted.value(url)).pathname.slice(1)
}))

const dropDatabase = (name: string) =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: inject(testDatabaseAdminUrlKey) })
    await client.connect()
    try {
      await client.query(`DROP DATABASE ${client.escapeIdentifier(name)} WITH (FORCE)`)
    } finally {
      await client.end()
    }
  })

/** Serves the health routes on a free port; the client's requests go to it. */
const serveRoutes = Layer.unwrapEffect(
  Effect.map(Health.routes, (routes) => HttpServer.serve(routes))
).pipe(Layer.provideMerge(NodeHttpServer.layerTest))

describe("Health.checkReadiness", () => {
  it.scoped("is ready once the migrations are applied", () =>
    Effect.gen(function* () {
      const database = yield* unmigratedDatabase
      yield* Effect.gen(function* () {
        const before = yield* Health.checkReadiness
        expect(before.ready).toBe(false)
        expect(before.checks.database).toEqual({ ok: true, message: null })
        expect(before.checks.migrations.ok).toBe(false)
        expect(before.checks.migrations.message).toContain("the migrations table could not be read")

        yield* Migrations.run
        const after = yield* Health.checkReadiness
        expect(after).toEqual({
          ready: true,
          checks: {
            database: { ok: true, message: null },
            migrations: {
              ok: true,
              message: null,
              applied: Migrations.latestMigrationId,
              expected: Migrations.latestMigrationId
            }
          }
        })

        const sql = yield* SqlClient.SqlClient
        yield* sql`DELETE FROM schema_migrations WHERE migration_id = ${Migrations.latestMigrationId}`
        const [newest] = yield* sql<{
          id: number | null
        }>`SELECT max(migration_id) AS id FROM schema_migrations`
        const behind = yield* Health.checkReadiness
        expect(behind.ready).toBe(false)
        expect(behind.checks.migrations.message).toBe(
          `migration ${Migrations.latestMigrationId} is not applied yet (newest applied: ${newest?.id ?? "none"})`
        )
      }).pipe(Effect.provide(Layer.merge(database.layer, NodeContext.layer)))
    })
  )

  it.scoped("is not ready when the database is gone", () =>
    Effect.gen(function* () {
      const database = yield* unmigratedDatabase
      yield* Effect.gen(function* () {
        yield* Migrations.run
        expect((yield* Health.checkReadiness).ready).toBe(true)
        yield* dropDatabase(database.name)
        const readiness = yield* Health.checkReadiness
        expect(readiness.ready).toBe(false)
        expect(readiness.checks.database.ok).toBe(false)
        expect(readiness.checks.database.message).toMatch(/^PostgreSQL is unreachable: /)
        expect(readiness.checks.migrations.message).toBe(
          "not checked, because the database is unreachable"
        )
      }).pipe(Effect.provide(Layer.merge(database.layer, NodeContext.layer)))
    })
  )
})

describe("Health.routes", () => {
  it.scoped("answer the probes with JSON", () =>
    Effect.gen(function* () {
      const database = yield* unmigratedDatabase
      yield* Effect.gen(function* () {
        const client = yield* HttpClient.HttpClient
        const live = yield* client.get(Health.livePath)
        expect(live.status).toBe(200)
        expect(yield* live.json).toEqual({ status: "live" })

        const notReady = yield* client.get(Health.readyPath)
        expect(notReady.status).toBe(503)
        const notReadyBody = (yield* notReady.json) as Record<string, unknown>
        expect(notReadyBody["status"]).toBe("not_ready")
        expect(notReadyBody["code"]).toBe("not_ready")
        expect(notReadyBody["message"]).toMatch(
          /^Not ready: the migrations table could not be read/
        )

        yield* Migrations.run
        const ready = yield* client.get(Health.readyPath)
        expect(ready.status).toBe(200)
        expect(((yield* ready.json) as Record<string, unknown>)["status"]).toBe("ready")
      }).pipe(
        Effect.provide(serveRoutes),
        Effect.provide(Layer.merge(database.layer, NodeContext.layer))
      )
    })
  )
})
