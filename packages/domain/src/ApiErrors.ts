/**
 * Errors that cross the wire. Every error body is JSON with a stable machine-readable `code`
 * (the frontend translates it into German), an English `message` for engineers and, for
 * validation errors, the offending `field`. Each class fixes its HTTP status.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as Schema from "effect/Schema"

const documentedCodes = <const Codes extends ReadonlyArray<string>>(
  codes: Codes,
  description: string
) => Schema.Literal(...codes).annotations({ description })

export const ValidationErrorCode = documentedCodes(
  ["invalid_request", "invalid_json"],
  "`invalid_request`: a field, path or query parameter failed validation (see `field`); " +
    "`invalid_json`: the body is not valid JSON."
)

/** 400: the request is malformed. `field` names the offending input as a dotted path. */
export class ValidationError extends Schema.TaggedError<ValidationError>()(
  "ValidationError",
  {
    code: ValidationErrorCode,
    message: Schema.String,
    field: Schema.optional(Schema.String),
    issues: Schema.optional(
      Schema.Array(Schema.Struct({ field: Schema.String, message: Schema.String }))
    )
  },
  HttpApiSchema.annotations({ status: 400 })
) {}

export const SourcePathRejectedCode = documentedCodes(
  [
    "source_path_invalid",
    "source_path_absolute",
    "source_path_outside_media_root",
    "source_path_not_a_file"
  ],
  "`source_path_invalid`: the path is empty, malformed or lies in a folder the system writes " +
    "itself; `source_path_absolute`: the path starts at the file system root instead of the " +
    "media root; `source_path_outside_media_root`: the path, through `..` or a symbolic link, " +
    "leads outside the media root; `source_path_not_a_file`: the path names a folder or another " +
    "non-regular file."
)

/** 400: the media root does not allow attaching the given source file path. */
export class SourcePathRejected extends Schema.TaggedError<SourcePathRejected>()(
  "SourcePathRejected",
  {
    code: SourcePathRejectedCode,
    message: Schema.String,
    field: Schema.Literal("path"),
    path: Schema.String
  },
  HttpApiSchema.annotations({ status: 400 })
) {}

export const UnauthorizedCode = documentedCodes(
  ["authentication_required", "invalid_credentials", "session_expired"],
  "`authentication_required`: the endpoint needs a moderator session; `invalid_credentials`: " +
    "wrong username or password (the API does not say which); `session_expired`: the session " +
    "cookie is unknown, revoked or expired."
)

/** 401: no valid moderator session, or a failed login. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { code: UnauthorizedCode, message: Schema.String },
  HttpApiSchema.annotations({ status: 401 })
) {}

export const NotFoundCode = documentedCodes(
  [
    "route_not_found",
    "course_not_found",
    "lecture_not_found",
    "job_not_found",
    "source_file_not_found"
  ],
  "The named object does not exist, or the caller may not see it."
)

/** 404: the object does not exist or is hidden from the caller. */
export class NotFound extends Schema.TaggedError<NotFound>()(
  "NotFound",
  { code: NotFoundCode, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export const ConflictCode = documentedCodes(
  ["course_handle_taken", "source_file_already_attached"],
  "`course_handle_taken`: another course uses this handle; `source_file_already_attached`: the " +
    "file is already recorded and its processing has not failed."
)

/** 409: the request conflicts with stored data. */
export class Conflict extends Schema.TaggedError<Conflict>()(
  "Conflict",
  { code: ConflictCode, message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

export const ServiceUnavailableCode = documentedCodes(
  ["file_provider_unavailable", "database_unavailable", "server_not_ready"],
  "A service the API depends on did not respond, or the server is still starting or already " +
    "stopping (`server_not_ready`); retrying later can help."
)

/** 503: a dependency of the API is down. */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()(
  "ServiceUnavailable",
  { code: ServiceUnavailableCode, message: Schema.String },
  HttpApiSchema.annotations({ status: 503 })
) {}

/** 500: a bug or an unexpected failure; the server log has the details under `errorId`. */
export class InternalError extends Schema.TaggedError<InternalError>()(
  "InternalError",
  { code: Schema.Literal("internal_error"), message: Schema.String, errorId: Schema.String },
  HttpApiSchema.annotations({ status: 500 })
) {}
