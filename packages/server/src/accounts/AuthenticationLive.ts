/**
 * The server side of the `Authentication` middleware: resolves the session cookie to the
 * moderator it belongs to.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Authentication } from "@videoag/domain"
import { Accounts } from "./Accounts.js"

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.map(Accounts, (accounts) => Authentication.of({ session: accounts.authenticate }))
)
