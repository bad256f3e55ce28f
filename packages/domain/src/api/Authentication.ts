/**
 * Who is calling. Moderators authenticate with a session cookie set by `POST /auth/login`;
 * endpoints that need a moderator declare `Authentication`. Every viewer-facing endpoint
 * declares `ViewerContext`, which tells the handler whether the caller is a moderator, whether
 * it comes from the university network and which password grants it holds. The server
 * implements both middlewares.
 */
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Context from "effect/Context"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Forbidden, Unauthorized } from "../ApiErrors.js"
import type { User } from "../User.js"

export const sessionCookieName = "videoag_session"

/** Cookie holding the viewer's password grants, signed by the server. */
export const grantCookieName = "videoag_grants"

/**
 * Header every cookie-authenticated write (POST, PUT, PATCH, DELETE of a moderator endpoint)
 * must carry with any non-empty value. Browsers send custom headers cross-origin only after a
 * CORS preflight, which the server allows only for its configured origins, so a forged form or
 * image request from another site cannot carry it.
 */
export const csrfHeaderName = "x-videoag-csrf"

export const sessionCookie = HttpApiSecurity.apiKey({ in: "cookie", key: sessionCookieName }).pipe(
  HttpApiSecurity.annotate(
    OpenApi.Description,
    "Session cookie from `POST /auth/login`. Writes must also send the header `X-VideoAG-CSRF: 1`."
  )
)

/** The moderator who sent the request. */
export class CurrentUser extends Context.Tag("@videoag/domain/CurrentUser")<CurrentUser, User>() {}

export class Authentication extends HttpApiMiddleware.Tag<Authentication>()(
  "@videoag/domain/Authentication",
  {
    failure: Schema.Union(Unauthorized, Forbidden),
    provides: CurrentUser,
    security: { session: sessionCookie }
  }
) {}

/** A password grant from the signed grant cookie. */
export interface GrantClaim {
  readonly scope: "course" | "lecture"
  readonly objectId: number
  /** Identifies the password the grant was issued for; a new password voids old grants. */
  readonly fingerprint: string
  readonly expiresAt: Date
}

/** What the server knows about the caller of a viewer endpoint. */
export interface ViewerInfo {
  /** The moderator of a valid session cookie, if any. */
  readonly user: Option.Option<User>
  /** The client's address, from `X-Forwarded-For` only behind a trusted proxy. */
  readonly clientAddress: string | null
  readonly inUniversityNetwork: boolean
  readonly grants: ReadonlyArray<GrantClaim>
  /** The `User-Agent` header, used only to tell viewers apart when counting views. */
  readonly userAgent: string
}

export class Viewer extends Context.Tag("@videoag/domain/Viewer")<Viewer, ViewerInfo>() {}

export class ViewerContext extends HttpApiMiddleware.Tag<ViewerContext>()(
  "@videoag/domain/ViewerContext",
  { provides: Viewer }
) {}
