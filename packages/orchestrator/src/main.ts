/**
 * Production entry point of the orchestrator: PostgreSQL from `DATABASE_URL`, JSON logs.
 * The executor runs workers as local processes until the Kubernetes executor exists.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Layer from "effect/Layer"
import { Runtime } from "@videoag/domain"
import { Shutdown } from "@videoag/domain"
import { Database, Migrations } from "@videoag/domain/sql"
import * as HealthServer from "./HealthServer.js"
import * as LocalProcessExecutor from "./LocalProcessExecutor.js"
import * as Orchestrator from "./Orchestrator.js"
import * as OrchestratorConfig from "./OrchestratorConfig.js"

const DatabaseLive = Layer.provideMerge(
  Migrations.layer,
  Database.layerFromEnvironment("videoag-orchestrator")
).pipe(Layer.provide(NodeContext.layer))

const MainLive = Orchestrator.layer.pipe(
  Layer.provide(LocalProcessExecutor.layerConfig),
  Layer.provide(OrchestratorConfig.layer),
  Layer.merge(HealthServer.layerConfig),
  Layer.provide(DatabaseLive),
  Layer.provide(NodeContext.layer),
  Shutdown.withDeadline,
  Layer.provide(Runtime.configProviderLayer),
  Layer.provide(Runtime.loggerLayer("json"))
)

NodeRuntime.runMain(Layer.launch(MainLive), { disablePrettyLogger: true })
