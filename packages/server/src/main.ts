/**
 * Production entry point of the API server: PostgreSQL from `DATABASE_URL`, JSON logs, debug
 * mode only when `VIDEOAG_DEBUG` is true. Migrations run before the server accepts requests.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Layer from "effect/Layer"
import { Runtime } from "@videoag/domain"
import { Shutdown } from "@videoag/domain"
import { Database, Migrations } from "@videoag/domain/sql"
import * as HttpServer from "./http/HttpServer.js"
import * as ServerConfig from "./ServerConfig.js"

const DatabaseLive = Layer.provideMerge(
  Migrations.layer,
  Database.layerFromEnvironment("videoag-server")
).pipe(Layer.provide(NodeContext.layer))

const MainLive = HttpServer.layer.pipe(
  Layer.provide(ServerConfig.layer),
  Layer.provide(DatabaseLive),
  Shutdown.withDeadline,
  Layer.provide(Runtime.layer("json"))
)

Runtime.runMain(Layer.launch(MainLive))
