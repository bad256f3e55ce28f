/**
 * Starts the embedded PostgreSQL server in the folder given as the first argument, prints the
 * result of `SELECT current_user` and stops it. Run by the tests as another user.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import pg from "pg"
import * as Path from "node:path"
import * as EmbeddedPostgres from "../../src/EmbeddedPostgres.js"

const [folder, port] = process.argv.slice(2)

const program = Effect.gen(function* () {
  const server = yield* EmbeddedPostgres.start({
    dataDirectory: Path.join(folder!, "cluster"),
    passwordFile: Path.join(folder!, "password"),
    port: Number(port),
    database: "probe"
  })
  const user = yield* Effect.promise(async () => {
    const client = new pg.Client({ connectionString: Redacted.value(server.url) })
    await client.connect()
    const result = await client.query("SELECT current_user AS name, current_database() AS database")
    await client.end()
    return result.rows[0] as { name: string; database: string }
  })
  console.log(JSON.stringify({ ...user, serverPid: server.pid }))
}).pipe(Effect.scoped)

Effect.runPromise(program).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
