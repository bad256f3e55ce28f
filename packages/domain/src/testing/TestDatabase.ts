/**
 * A fresh, migrated database per test file on the test run's PostgreSQL server, dropped when
 * the layer's scope closes.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Crypto from "node:crypto"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import pg from "pg"
import { inject } from "vitest"
import * as Database from "../sql/Database.js"
import * as Migrations from "../sql/Migrations.js"
import { testDatabaseAdminUrlKey } from "./ProvidedContext.js"

const withAdminClient = <A>(adminUrl: string, use: (client: pg.Client) => Promise<A>) =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: adminUrl })
    await client.connect()
    try {
      return await use(client)
    } finally {
      await client.end()
    }
  })

/** Creates a database named `videoag_test_<random>` and returns its connection URL. */
export const createDatabase = Effect.gen(function* () {
  const adminUrl = inject(testDatabaseAdminUrlKey)
  const name = `videoag_test_${Crypto.randomBytes(6).toString("hex")}`
  yield* Effect.acquireRelease(
    withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`)),
    () =>
      withAdminClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      )
  )
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return Redacted.make(url.toString())
})

/**
 * Turns off the schedules the migrations seed (the sorter every five minutes, the nightly
 * check). They would enqueue jobs at wall-clock times into tests that count jobs; tests of
 * schedules insert or enable their own.
 */
export const disableSeededSchedules = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`UPDATE job_schedules SET enabled = false`.pipe(Effect.asVoid, Effect.orDie)
)

/**
 * `SqlClient` and `PgClient` on a fresh database with all migrations applied and the seeded
 * schedules turned off.
 */
export const layer = Layer.unwrapScoped(
  Effect.map(createDatabase, (url) =>
    Layer.provideMerge(
      Layer.effectDiscard(disableSeededSchedules),
      Layer.provideMerge(
        Migrations.layer.pipe(Layer.provide(NodeContext.layer)),
        Database.layer({ url, applicationName: "videoag-test" })
      )
    )
  )
)
