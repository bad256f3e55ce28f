/**
 * The API server: the HTTP contract's handlers, the OpenAPI document at
 * `/api/v1/openapi.json`, the docs page at `/api/v1/docs`, health probes and metrics, served
 * by Node's HTTP server.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiSwagger from "@effect/platform/HttpApiSwagger"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Http from "node:http"
import { apiPrefix, csrfHeaderName, VideoAgApi } from "@videoag/domain"
import { JobRepository, MediaRepository } from "@videoag/domain/sql"
import { ViewerLive } from "../access/ViewerLive.js"
import { Accounts } from "../accounts/Accounts.js"
import { AuthenticationLive } from "../accounts/AuthenticationLive.js"
import { Users } from "../accounts/Users.js"
import { Catalogue } from "../catalogue/Catalogue.js"
import { CatalogueWrites } from "../catalogue/CatalogueWrites.js"
import { ChangeLog } from "../changelog/ChangeLog.js"
import { Announcements } from "../content/Announcements.js"
import { Chapters } from "../content/Chapters.js"
import { FeaturedEntries } from "../content/Featured.js"
import { Feeds } from "../feeds/Feeds.js"
import * as Housekeeping from "../Housekeeping.js"
import { Jobs } from "../jobs/Jobs.js"
import { Search } from "../search/Search.js"
import { ServerConfig } from "../ServerConfig.js"
import { layerFileProvider } from "../sourcefiles/SourceFileInspector.js"
import { SourceFiles } from "../sourcefiles/SourceFiles.js"
import { Statistics } from "../statistics/Statistics.js"
import { ViewerActions } from "../viewers/ViewerActions.js"
import * as ErrorResponses from "./ErrorResponses.js"
import * as Handlers from "./Handlers.js"
import * as HealthRoutes from "./HealthRoutes.js"
import * as IndexRoute from "./IndexRoute.js"
import * as Metrics from "./Metrics.js"
import * as MetricsRoute from "./MetricsRoute.js"
import * as RequestGuard from "./RequestGuard.js"

const ServicesLive = Layer.mergeAll(
  Catalogue.Default,
  CatalogueWrites.Default,
  ViewerActions.Default,
  Chapters.Default,
  Announcements.Default,
  FeaturedEntries.Default,
  Search.Default,
  Feeds.Default,
  Accounts.Default,
  Users.Default,
  Jobs.Default,
  SourceFiles.Default,
  Statistics.Default,
  ChangeLog.Default,
  JobRepository.Default,
  MediaRepository.Default
)

/**
 * The implemented API, needing `ServerConfig`, the SQL client and a `SourceFileInspector`
 * (the file provider's checks of source paths).
 */
export const ApiWithoutInspector = HttpApiBuilder.api(VideoAgApi).pipe(
  Layer.provide([
    Handlers.CoursesLive,
    Handlers.LecturesLive,
    Handlers.ChaptersLive,
    Handlers.MediaLive,
    Handlers.SearchLive,
    Handlers.FeedsLive,
    Handlers.AnnouncementsLive,
    Handlers.FeaturedLive,
    Handlers.AuthLive,
    Handlers.UsersLive,
    Handlers.JobsLive,
    Handlers.SourceFilesLive,
    Handlers.StatisticsLive,
    Handlers.ChangeLogLive
  ]),
  Layer.provide([AuthenticationLive, ViewerLive]),
  Layer.provide(ServicesLive)
)

/** The implemented API, needing only `ServerConfig` and the SQL client. */
export const ApiLive = ApiWithoutInspector.pipe(
  Layer.provide(layerFileProvider),
  Layer.provide(FetchHttpClient.layer)
)

/**
 * CORS for the configured web-app origins only, with cookies. Other origins get no preflight
 * answer, so their browsers never send the CSRF header.
 */
const CorsLive = Layer.unwrapEffect(
  Effect.map(ServerConfig, (settings) =>
    settings.corsOrigins.length === 0
      ? Layer.empty
      : HttpApiBuilder.middlewareCors({
          allowedOrigins: settings.corsOrigins,
          allowedMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
          allowedHeaders: ["content-type", csrfHeaderName],
          credentials: true,
          maxAge: 600
        })
  )
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
 * A Node HTTP server that responds with 503 while no request handler is attached. The socket
 * listens before the API's handler is installed and after it is removed on shutdown; without
 * this, requests in those moments would wait forever.
 */
export const createServer = () => {
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

/**
 * Serves `api` (normally `ApiLive`) with docs, probes, metrics and error shaping on the
 * `HttpServer` the caller provides.
 */
export const serve = <E, R>(api: Layer.Layer<HttpApi.Api, E, R>) =>
  HttpApiBuilder.serve((app) => Metrics.middleware(HttpMiddleware.logger(app))).pipe(
    Layer.provide(HttpApiSwagger.layer({ path: `${apiPrefix}/docs` })),
    Layer.provide(CorsLive),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: `${apiPrefix}/openapi.json` })),
    Layer.provide(HealthRoutes.layer),
    Layer.provide(IndexRoute.layer),
    Layer.provide(MetricsRoute.layer),
    Layer.provide(ErrorResponses.layer),
    Layer.provide(RequestGuard.layer),
    Layer.provide(api),
    Layer.provide(DebugModeratorLive),
    Layer.provide(Housekeeping.layer)
  )

/** Serves `api` (normally `ApiLive`) on the host and port of `ServerConfig`. */
export const layerWith = <E, R>(api: Layer.Layer<HttpApi.Api, E, R>) =>
  serve(api).pipe(
    HttpServer.withLogAddress,
    Layer.provide(
      Layer.unwrapEffect(
        Effect.map(ServerConfig, (settings) =>
          NodeHttpServer.layer(createServer, { host: settings.host, port: settings.port })
        )
      )
    )
  )

/** Serves the API on the host and port of `ServerConfig`. */
export const layer = layerWith(ApiLive)
