/**
 * The server side of the `Authentication` middleware: resolves the session cookie to the
 * moderator it belongs to and, for writes, requires the CSRF header.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Authentication, csrfHeaderName, Forbidden } from "@videoag/domain"
import { Accounts } from "./Accounts.js"

const safeMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"])

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(Accounts, (accounts) =>
    Authentication.of({
      session: (token) =>
        Effect.gen(function* () {
          const user = yield* accounts.authenticate(token)
          const request = yield* HttpServerRequest.HttpServerRequest
          const header = request.headers[csrfHeaderName]
          if (!safeMethods.has(request.method) && (header === undefined || header.trim() === "")) {
            return yield* new Forbidden({
              code: "csrf_header_missing",
              message:
                "Writes with a session cookie must send the header X-VideoAG-CSRF with any non-empty value, e.g. X-VideoAG-CSRF: 1"
            })
          }
          return user
        })
    })
  )
)
