import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { Unauthorized } from "../ApiErrors.js"
import { LoginRequest, User } from "../User.js"
import { Authentication } from "./Authentication.js"

export class AuthApi extends HttpApiGroup.make("auth")
  .add(
    HttpApiEndpoint.post("login", "/auth/login")
      .setPayload(LoginRequest)
      .addSuccess(User)
      .addError(Unauthorized)
      .annotate(OpenApi.Summary, "Log in as a moderator")
      .annotate(
        OpenApi.Description,
        "Checks the username and password and sets the HttpOnly session cookie `videoag_session`."
      )
  )
  .add(
    HttpApiEndpoint.post("logout", "/auth/logout")
      .addSuccess(Schema.Void)
      .annotate(OpenApi.Summary, "End the current session and clear its cookie")
  )
  .add(
    HttpApiEndpoint.get("me", "/auth/me")
      .addSuccess(User)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "The moderator of the current session")
  ) {}
