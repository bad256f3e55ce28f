/**
 * `./dev/run.sh db` without Docker: only the database of the embedded default, the same
 * PostgreSQL cluster `npm start` uses (`data/postgres`), with the migrations applied. Prints the
 * DATABASE_URL for the API server and the orchestrator and runs until Ctrl-C.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Path from "node:path"
import { Runtime } from "@videoag/domain"
import { Database, Migrations } from "@videoag/domain/sql"
import { EmbeddedPostgres } from "@videoag/standalone"

const program = Effect.gen(function* () {
  const dataDirectory = Path.resolve(
    yield* Config.withDefault(Config.string("VIDEOAG_DATA_DIR"), "data")
  )
  const port = yield* Config.port("VIDEOAG_EMBEDDED_POSTGRES_PORT").pipe(Config.withDefault(55432))
  const server = yield* EmbeddedPostgres.start({
    dataDirectory: Path.join(dataDirectory, "postgres"),
    passwordFile: Path.join(dataDirectory, "postgres-password"),
    port,
    database: "videoag"
  })
  yield* Migrations.run.pipe(
    Effect.provide(
      Layer.merge(
        Database.layer({ url: server.url, applicationName: "videoag-dev-database" }),
        NodeContext.layer
      )
    )
  )
  console.log(
    `\nPostgreSQL is ready. Connect with:\n  DATABASE_URL=${Redacted.value(server.url)}\n`
  )
  console.log("Stop it with Ctrl-C.")
  return yield* Effect.never
}).pipe(Effect.scoped)

Runtime.runMain(program.pipe(Effect.provide(Runtime.layer("pretty"))))
