/**
 * The API server: the HTTP contract's handlers, the OpenAPI document at
 * `/api/v1/openapi.json`, the docs page at `/api/v1/docs`, served by Node's HTTP server.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiSwagger from "@effect/platform/HttpApiSwagger"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Http from "node:http"
import { apiPrefix, VideoAgApi } from "@videoag/domain"
import { JobRepository } from "@videoag/domain/sql"
import { Accounts } from "../accounts/Accounts.js"
import { AuthenticationLive } from "../accounts/AuthenticationLive.js"
import { Catalogue } from "../catalogue/Catalogue.js"
import { ServerConfig } from "../ServerConfig.js"
import { layerFileProvider } from "../sourcefiles/SourceFileInspector.js"
import { SourceFiles } from "../sourcefiles/SourceFiles.js"
import * as ErrorResponses from "./ErrorResponses.js"
import * as HealthRoutes from "./HealthRoutes.js"
import { AuthLive, CoursesLive, JobsLive, LecturesLive } from "./Handlers.js"

/** The implemented API, needing only `ServerConfig` and the SQL client. */
export const ApiLive = HttpApiBuilder.api(VideoAgApi).pipe(
  Layer.provide([CoursesLive, LecturesLive, AuthLive, JobsLive]),
  Layer.provide(AuthenticationLive),
  Layer.provide(SourceFiles.Default),
  Layer.provide([Catalogue.Default, JobRepository.Default, Accounts.Default]),
  Layer.provide(layerFileProvider),
  Layer.provide(FetchHttpClient.layer)
)

/** Creates or disables the debug moderator when the server starts. */
const DebugModeratorLive = Layer.effectDiscard(
  Effect.flatMap(Accounts, (accounts) => accounts.applyDebugModerator)
).pipe(Layer.provide(Accounts.Default))

const notReadyBody = JSON.stringify({
  code: "server_not_ready",
  message: "The server is starting or stopping; try again in a moment",
  _tag: "ServiceUnavailable"
})

/**
 * A Node HTTP server that answers 503 while no request handler is attached. The socket
 * listens before the API's handler is installed and after it is removed on shutdown; without
 * this, requests in those moments would wait forever.
 */
const createServer = () => {
  const server = Http.createServer()
  server.on("request", (_request: Http.IncomingMessage, response: Http.ServerResponse) => {
    if (server.listenerCount("request") > 1) return
    response.writeHead(503, {
      "content-type": "application/json",
      "retry-after": "1",
      connection: "close"
    })
    response.end(notReadyBody)
  })
  return server
}

/** Serves the API on the host and port of `ServerConfig`. */
export const layer = HttpApiBuilder.serve(HttpMiddleware.logger).pipe(
  Layer.provide(HttpApiSwagger.layer({ path: `${apiPrefix}/docs` })),
  Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: `${apiPrefix}/openapi.json` })),
  Layer.provide(ErrorResponses.layer),
  Layer.provide(HealthRoutes.layer),
  Layer.provide(ApiLive),
  Layer.provide(DebugModeratorLive),
  HttpServer.withLogAddress,
  Layer.provide(
    Layer.unwrapEffect(
      Effect.map(ServerConfig, (settings) =>
        NodeHttpServer.layer(createServer, { host: settings.host, port: settings.port })
      )
    )
  )
)
