/**
 * Moderator authentication: a session cookie set by `POST /auth/login`. Endpoints that need a
 * moderator declare this middleware; the server implements it.
 */
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as Context from "effect/Context"
import { Unauthorized } from "../ApiErrors.js"
import type { User } from "../User.js"

export const sessionCookieName = "videoag_session"

export const sessionCookie = HttpApiSecurity.apiKey({ in: "cookie", key: sessionCookieName })

/** The moderator who sent the request. */
export class CurrentUser extends Context.Tag("@videoag/domain/CurrentUser")<CurrentUser, User>() {}

export class Authentication extends HttpApiMiddleware.Tag<Authentication>()(
  "@videoag/domain/Authentication",
  {
    failure: Unauthorized,
    provides: CurrentUser,
    security: { session: sessionCookie }
  }
) {}
