/**
 * `GET /api/v1`: where a client finds the documentation of this API version.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { apiPrefix } from "@videoag/domain"

export const layer = HttpApiBuilder.Router.use((router) =>
  router.get(
    apiPrefix,
    HttpServerResponse.json({
      name: "Video AG API",
      version: "1",
      docs: `${apiPrefix}/docs`,
      openapi: `${apiPrefix}/openapi.json`
    })
  )
)
