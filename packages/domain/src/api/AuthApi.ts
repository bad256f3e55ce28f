import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized } from "../ApiErrors.js"
import { UserIdFromString } from "../Ids.js"
import { ChangePassword, CreateUser, LoginRequest, UpdateUser, User, UserAccount } from "../User.js"
import { Authentication } from "./Authentication.js"

export class AuthApi extends HttpApiGroup.make("auth")
  .add(
    HttpApiEndpoint.post("login", "/auth/login")
      .setPayload(LoginRequest)
      .addSuccess(User)
      .addError(Unauthorized)
      .addError(TooManyRequests)
      .annotate(OpenApi.Summary, "Log in as a moderator")
      .annotate(
        OpenApi.Description,
        "Checks the username and password and sets the HttpOnly session cookie `videoag_session`. " +
          "Failed attempts are limited per username and per client address (429 `rate_limited`). " +
          "Later writes with the cookie must send the header `X-VideoAG-CSRF: 1`."
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
  )
  .add(
    HttpApiEndpoint.put("changePassword", "/auth/password")
      .setPayload(ChangePassword)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(Unauthorized)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Change the own password; ends all other sessions")
  ) {}

const userId = HttpApiSchema.param("id", UserIdFromString)

export class UsersApi extends HttpApiGroup.make("users")
  .add(
    HttpApiEndpoint.get("list", "/users")
      .addSuccess(Schema.Array(UserAccount))
      .annotate(OpenApi.Summary, "Moderator accounts (admins)")
  )
  .add(
    HttpApiEndpoint.post("create", "/users")
      .setPayload(CreateUser)
      .addSuccess(UserAccount, { status: 201 })
      .addError(Conflict)
      .annotate(OpenApi.Summary, "Create a moderator account (admins)")
  )
  .add(
    HttpApiEndpoint.patch("update")`/users/${userId}`
      .setPayload(UpdateUser)
      .addSuccess(UserAccount)
      .addError(NotFound)
      .addError(Conflict)
      .annotate(OpenApi.Summary, "Change a moderator account (admins)")
      .annotate(
        OpenApi.Description,
        "Disabling an account or setting its password ends its sessions. The last active admin " +
          "cannot be disabled or demoted (409 `last_admin`)."
      )
  )
  .add(
    HttpApiEndpoint.del("delete")`/users/${userId}`
      .addSuccess(HttpApiSchema.NoContent)
      .addError(NotFound)
      .addError(Conflict)
      .annotate(OpenApi.Summary, "Delete a moderator account (admins)")
      .annotate(
        OpenApi.Description,
        "The account is disabled and marked deleted; the change log keeps its name."
      )
  )
  .addError(Forbidden)
  .middleware(Authentication) {}
