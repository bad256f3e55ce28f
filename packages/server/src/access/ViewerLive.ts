/**
 * The server side of the `ViewerContext` middleware: reads the session cookie (a moderator, if
 * valid), the signed grant cookie and the client address of every viewer request.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { grantCookieName, sessionCookieName, ViewerContext, type ViewerInfo } from "@videoag/domain"
import { Accounts } from "../accounts/Accounts.js"
import { ServerConfig } from "../ServerConfig.js"
import { addressRangesOf, clientAddressOf } from "./ClientAddress.js"
import { decodeGrants } from "./Grants.js"

export const ViewerLive = Layer.effect(
  ViewerContext,
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const settings = yield* ServerConfig
    const universityNetworks = addressRangesOf(settings.universityNetworks)
    const trustedProxies = addressRangesOf(settings.trustedProxies)

    return Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const token = request.cookies[sessionCookieName]
      const user =
        token === undefined || token === ""
          ? Option.none()
          : yield* Effect.option(accounts.authenticate(Redacted.make(token)))
      const clientAddress = clientAddressOf(
        Option.getOrUndefined(request.remoteAddress),
        request.headers["x-forwarded-for"],
        trustedProxies
      )
      const viewer: ViewerInfo = {
        user,
        clientAddress,
        inUniversityNetwork: clientAddress !== null && universityNetworks.contains(clientAddress),
        grants: decodeGrants(settings.serverSecret, request.cookies[grantCookieName], new Date()),
        userAgent: request.headers["user-agent"] ?? ""
      }
      return viewer
    })
  })
)
