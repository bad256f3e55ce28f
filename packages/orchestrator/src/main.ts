/**
 * Production entry point of the orchestrator: PostgreSQL from `DATABASE_URL`, JSON logs, and
 * the executor named by `VIDEOAG_EXECUTOR`: `kubernetes` (the default) runs every attempt as a
 * Kubernetes Job, `local` as a child process.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Runtime } from "@videoag/domain"
import { Shutdown } from "@videoag/domain"
import { Database, Migrations } from "@videoag/domain/sql"
import * as HealthServer from "./HealthServer.js"
import * as KubernetesExecutor from "./kubernetes/KubernetesExecutor.js"
import * as LocalProcessExecutor from "./LocalProcessExecutor.js"
import * as Orchestrator from "./Orchestrator.js"
import * as OrchestratorConfig from "./OrchestratorConfig.js"

const DatabaseLive = Layer.provideMerge(
  Migrations.layer,
  Database.layerFromEnvironment("videoag-orchestrator")
).pipe(Layer.provide(NodeContext.layer))

const ExecutorLive = Layer.unwrapEffect(
  Effect.map(
    Config.literal(
      "kubernetes",
      "local"
    )("VIDEOAG_EXECUTOR").pipe(Config.withDefault("kubernetes" as const)),
    (executor) =>
      executor === "kubernetes" ? KubernetesExecutor.layerConfig : LocalProcessExecutor.layerConfig
  )
)

const MainLive = Orchestrator.layer.pipe(
  Layer.provide(ExecutorLive),
  Layer.provide(OrchestratorConfig.layer),
  Layer.merge(HealthServer.layerConfig),
  Layer.provide(DatabaseLive),
  Layer.provide(NodeContext.layer),
  Shutdown.withDeadline,
  Layer.provide(Runtime.layer("json"))
)

Runtime.runMain(Layer.launch(MainLive))
