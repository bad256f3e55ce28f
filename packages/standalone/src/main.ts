/**
 * `npm start`: the whole system on the embedded default, in debug mode. Embedded PostgreSQL
 * with its data under `./data/postgres`, the media root at `./data/media`, the API at
 * http://127.0.0.1:5000 and the file provider at http://127.0.0.1:5001. Ctrl-C or SIGTERM stops
 * the API and the orchestrator (running jobs go back to the queue), then the database.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Path from "node:path"
import { Runtime } from "@videoag/domain"
import { Database, Migrations } from "@videoag/domain/sql"
import { OrchestratorConfig } from "@videoag/orchestrator"
import { parseAddressRanges } from "@videoag/server"
import * as EmbeddedPostgres from "./EmbeddedPostgres.js"
import * as Stack from "./Stack.js"

const StandaloneConfig = Config.all({
  dataDirectory: Config.withDefault(Config.string("VIDEOAG_DATA_DIR"), "data"),
  httpHost: Config.withDefault(Config.string("VIDEOAG_HTTP_HOST"), "127.0.0.1"),
  httpPort: Config.port("VIDEOAG_HTTP_PORT").pipe(Config.withDefault(5000)),
  fileProviderPort: Config.port("VIDEOAG_FILE_PROVIDER_PORT").pipe(Config.withDefault(5001)),
  postgresPort: Config.port("VIDEOAG_EMBEDDED_POSTGRES_PORT").pipe(Config.withDefault(55432)),
  sessionLifetime: Config.duration("VIDEOAG_SESSION_LIFETIME").pipe(
    Config.withDefault(Duration.days(14))
  ),
  universityNetworks: Config.string("VIDEOAG_UNIVERSITY_NETWORKS").pipe(
    Config.withDefault(""),
    Config.map((text) =>
      text
        .split(",")
        .map((range) => range.trim())
        .filter((range) => range !== "")
    ),
    Config.validate({
      message: "Expected comma-separated CIDR ranges such as 192.0.2.0/24 or 2001:db8::/32",
      validation: (ranges) => Either.isRight(parseAddressRanges(ranges))
    })
  )
})

const MainLive = Layer.unwrapEffect(
  Effect.gen(function* () {
    const config = yield* StandaloneConfig
    const orchestrator = yield* OrchestratorConfig.settingsConfig
    const dataDirectory = Path.resolve(config.dataDirectory)

    const DatabaseLive = Layer.unwrapScoped(
      Effect.map(
        EmbeddedPostgres.start({
          dataDirectory: Path.join(dataDirectory, "postgres"),
          passwordFile: Path.join(dataDirectory, "postgres-password"),
          port: config.postgresPort,
          database: "videoag"
        }),
        (server) => Database.layer({ url: server.url, applicationName: "videoag-standalone" })
      )
    )

    return Stack.layer({
      mediaRoot: Path.join(dataDirectory, "media"),
      httpHost: config.httpHost,
      httpPort: config.httpPort,
      fileProviderHost: "127.0.0.1",
      fileProviderPort: config.fileProviderPort,
      orchestrator,
      sessionLifetime: config.sessionLifetime,
      universityNetworks: config.universityNetworks
    }).pipe(
      Layer.provide(Layer.provideMerge(Migrations.layer, DatabaseLive)),
      Layer.provide(NodeContext.layer)
    )
  })
)

Runtime.runMain(
  Layer.launch(MainLive).pipe(
    Effect.onInterrupt(() =>
      Effect.logInfo("Stopped: the API, the orchestrator and the embedded database have shut down")
    ),
    Effect.provide(Runtime.layer("pretty"))
  )
)
