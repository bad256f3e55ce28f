/**
 * The whole system in one process tree on the embedded default: file provider, API server and
 * orchestrator with the local-process executor, on a database the caller provides. Used by
 * `npm start` (with the embedded PostgreSQL server) and by the end-to-end tests.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Duration from "effect/Duration"
import { LocalProcessExecutor, Orchestrator, OrchestratorConfig } from "@videoag/orchestrator"
import { HttpServer, ServerConfig } from "@videoag/server"
import * as FileProvider from "./FileProvider.js"

export interface StackOptions {
  readonly mediaRoot: string
  readonly httpHost: string
  readonly httpPort: number
  readonly fileProviderHost: string
  readonly fileProviderPort: number
  readonly orchestrator: OrchestratorConfig.OrchestratorSettings
  readonly sessionLifetime: Duration.Duration
  readonly workerCommand?: ReadonlyArray<string>
}

/** Server and orchestrator in debug mode; needs `SqlClient`/`PgClient` with migrations applied. */
export const layer = (options: StackOptions) => {
  const ServerLive = Layer.unwrapScoped(
    Effect.map(
      FileProvider.start({
        mediaRoot: options.mediaRoot,
        host: options.fileProviderHost,
        port: options.fileProviderPort
      }),
      (provider) =>
        HttpServer.layer.pipe(
          Layer.provide(
            ServerConfig.layerWith({
              debug: true,
              host: options.httpHost,
              port: options.httpPort,
              fileProviderUrl: provider.url,
              sourceFileCheckUrl: provider.sourceFileCheckUrl,
              sessionLifetime: options.sessionLifetime,
              secureCookies: false
            })
          )
        )
    )
  )
  const OrchestratorLive = Orchestrator.layer.pipe(
    Layer.provide(
      LocalProcessExecutor.layer({
        mediaRoot: options.mediaRoot,
        workerCommand: options.workerCommand ?? LocalProcessExecutor.defaultWorkerCommand()
      })
    ),
    Layer.provide(OrchestratorConfig.layerWith(options.orchestrator)),
    Layer.provide(NodeContext.layer)
  )
  return Layer.mergeAll(ServerLive, OrchestratorLive)
}
