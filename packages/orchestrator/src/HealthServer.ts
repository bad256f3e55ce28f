/**
 * A small HTTP server beside the orchestrator, on its own port, for the Kubernetes probes:
 * `/health/live` and `/health/ready` (database reachable, migrations applied). Readiness does
 * not depend on leadership, so a standby instance is ready too.
 */
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createServer } from "node:http"
import { Health } from "@videoag/domain/sql"

export interface HealthServerOptions {
  readonly host: string
  readonly port: number
}

/** Serves the health routes on `host` and `port`; needs the SQL client. */
export const layer = (options: HealthServerOptions) =>
  Layer.unwrapEffect(
    Effect.map(Health.routes, (routes) =>
      HttpServer.serve(routes).pipe(
        HttpServer.withLogAddress,
        Layer.provide(NodeHttpServer.layer(createServer, options))
      )
    )
  )

/**
 * `layer` on `VIDEOAG_ORCHESTRATOR_HEALTH_HOST` (default 0.0.0.0) and `..._PORT` (default 5002;
 * 0 picks a free port, which tests use to run several orchestrators side by side).
 */
export const layerConfig = Layer.unwrapEffect(
  Effect.map(
    Config.all({
      host: Config.withDefault(Config.string("VIDEOAG_ORCHESTRATOR_HEALTH_HOST"), "0.0.0.0"),
      port: Config.integer("VIDEOAG_ORCHESTRATOR_HEALTH_PORT").pipe(
        Config.validate({
          message: "Expected a TCP port from 1 to 65535, or 0 for any free port",
          validation: (port) => port >= 0 && port <= 65535
        }),
        Config.withDefault(5002)
      )
    }),
    layer
  )
)
