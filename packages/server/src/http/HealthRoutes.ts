/**
 * The health probes `/health/live` and `/health/ready` beside the API, outside its versioned
 * contract. The checks themselves are `Health` of `@videoag/domain/sql`.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Effect from "effect/Effect"
import { Health } from "@videoag/domain/sql"

/** Adds the health routes to the API server's router; needs the SQL client. */
export const layer = HttpApiBuilder.Router.use((router) =>
  Effect.flatMap(Health.routes, (routes) => router.concat(routes))
)
