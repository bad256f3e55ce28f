/**
 * The whole system in one process tree on the embedded default: file provider, API server and
 * orchestrator with the local-process executor, on a database the caller provides. Used by
 * `npm start` (with the embedded PostgreSQL server) and by the end-to-end tests.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Crypto from "node:crypto"
import * as Effect from "effect/Effect"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
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
  /** Address ranges of the university network; none by default. */
  readonly universityNetworks?: ReadonlyArray<string>
}

/** Server and orchestrator in debug mode; needs `SqlClient`/`PgClient` with migrations applied. */
export const layer = (options: StackOptions) => {
  // The file provider and the server run in this process, so a secret per start suffices.
  const secureLinkSecret = Redacted.make(Crypto.randomBytes(32).toString("hex"))
  const ServerLive = Layer.unwrapScoped(
    Effect.map(
      FileProvider.start({
        mediaRoot: options.mediaRoot,
        host: options.fileProviderHost,
        port: options.fileProviderPort,
        secureLinkSecret
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
              secureCookies: false,
              universityNetworks: options.universityNetworks ?? [],
              trustedProxies: [],
              secureLinkSecret,
              serverSecret: Redacted.make(Crypto.randomBytes(32).toString("hex")),
              mediaUrlLifetime: Duration.hours(6),
              passwordGrantLifetime: Duration.days(7),
              siteUrl: `http://${options.httpHost}:${options.httpPort}`,
              corsOrigins: []
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
