/**
 * Errors that cross the wire. Every error body is JSON with a stable machine-readable `code`
 * (the frontend translates it into German), an English `message` for engineers and, for
 * validation errors, the offending `field`. Each class fixes its HTTP status, and
 * `errorCodeCatalogue` describes every code the API can return.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as Schema from "effect/Schema"

/** Every error code of the API with its HTTP status and meaning, for the docs and tests. */
export const errorCodeCatalogue = {
  invalid_request: [400, "A field, path or query parameter failed validation; `field` names it."],
  invalid_json: [400, "The body is not valid JSON."],
  password_required: [
    400,
    "A `password` access rule was set without a password and the object had none before."
  ],
  source_path_invalid: [
    400,
    "The source path is empty, malformed or lies in a folder the system writes itself."
  ],
  source_path_absolute: [
    400,
    "The source path starts at the file system root instead of the media root."
  ],
  source_path_outside_media_root: [
    400,
    "The source path leads outside the media root through `..` or a symbolic link."
  ],
  source_path_not_a_file: [400, "The source path names a folder or another non-regular file."],
  authentication_required: [401, "The endpoint needs a moderator session; log in first."],
  invalid_credentials: [
    401,
    "Wrong username or password at login; the API does not say which of the two."
  ],
  session_expired: [401, "The session cookie is unknown, revoked or expired; log in again."],
  password_incorrect: [403, "The course or lecture password is wrong; no access grant was issued."],
  csrf_header_missing: [
    403,
    "A write with a session cookie lacks the `X-VideoAG-CSRF` header (any non-empty value)."
  ],
  admin_required: [403, "Only moderators with the role `admin` may manage moderator accounts."],
  access_denied: [
    403,
    "The object is visible but protected by an access rule the caller does not satisfy."
  ],
  route_not_found: [404, "No API endpoint exists at this method and path."],
  course_not_found: [404, "No course with this handle exists, or it is hidden from the caller."],
  lecture_not_found: [404, "No lecture with this id exists, or it is hidden from the caller."],
  medium_not_found: [404, "No medium with this id exists, or it is hidden from the caller."],
  chapter_not_found: [404, "No chapter with this id exists, or it is hidden from the caller."],
  announcement_not_found: [404, "No announcement with this id exists."],
  featured_not_found: [404, "No featured entry with this id exists."],
  user_not_found: [404, "No moderator account with this id exists."],
  job_not_found: [404, "No job with this id exists."],
  source_file_not_found: [404, "No file at this path in the media root, or no such source file."],
  profile_not_found: [404, "The course has no published media of this profile."],
  course_handle_taken: [409, "Another course uses this handle."],
  username_taken: [409, "Another moderator account uses this username."],
  source_file_already_attached: [
    409,
    "The file is already recorded and its processing has not failed."
  ],
  password_not_set: [409, "The course or lecture has no password rule to unlock."],
  job_not_retryable: [409, "Only failed or cancelled jobs can be retried."],
  job_not_cancellable: [409, "The job has already finished."],
  last_admin: [409, "The change would leave no active moderator with the role `admin`."],
  unsupported_media_type: [
    415,
    "The body has a content type other than `application/json`; send JSON."
  ],
  payload_too_large: [413, "The body is larger than the API accepts (1 MiB)."],
  rate_limited: [
    429,
    "Too many attempts from this client or for this account; wait `retryAfterSeconds`."
  ],
  file_provider_unavailable: [503, "The file provider did not respond; retrying later can help."],
  database_unavailable: [503, "The database did not respond; retrying later can help."],
  server_not_ready: [503, "The server is starting or stopping; retrying in a moment can help."],
  internal_error: [500, "A bug or an unexpected failure; the server log has the `errorId`."]
} as const satisfies Record<string, readonly [number, string]>

export type ErrorCode = keyof typeof errorCodeCatalogue

const documentedCodes = <const Codes extends ReadonlyArray<ErrorCode>>(...codes: Codes) =>
  Schema.Literal(...codes).annotations({
    description: codes.map((code) => `\`${code}\`: ${errorCodeCatalogue[code][1]}`).join(" ")
  })

export const ValidationErrorCode = documentedCodes(
  "invalid_request",
  "invalid_json",
  "password_required"
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
  "source_path_invalid",
  "source_path_absolute",
  "source_path_outside_media_root",
  "source_path_not_a_file"
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
  "authentication_required",
  "invalid_credentials",
  "session_expired"
)

/** 401: no valid moderator session, or a failed login. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { code: UnauthorizedCode, message: Schema.String },
  HttpApiSchema.annotations({ status: 401 })
) {}

export const ForbiddenCode = documentedCodes(
  "password_incorrect",
  "csrf_header_missing",
  "admin_required",
  "access_denied"
)

/** 403: the caller is known but may not do this. */
export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  { code: ForbiddenCode, message: Schema.String },
  HttpApiSchema.annotations({ status: 403 })
) {}

export const NotFoundCode = documentedCodes(
  "route_not_found",
  "course_not_found",
  "lecture_not_found",
  "medium_not_found",
  "chapter_not_found",
  "announcement_not_found",
  "featured_not_found",
  "user_not_found",
  "job_not_found",
  "source_file_not_found",
  "profile_not_found"
)

/** 404: the object does not exist or is hidden from the caller. */
export class NotFound extends Schema.TaggedError<NotFound>()(
  "NotFound",
  { code: NotFoundCode, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export const ConflictCode = documentedCodes(
  "course_handle_taken",
  "username_taken",
  "source_file_already_attached",
  "password_not_set",
  "job_not_retryable",
  "job_not_cancellable",
  "last_admin"
)

/** 409: the request conflicts with stored data. */
export class Conflict extends Schema.TaggedError<Conflict>()(
  "Conflict",
  { code: ConflictCode, message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

/** 413: the body is too large. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  { code: documentedCodes("payload_too_large"), message: Schema.String },
  HttpApiSchema.annotations({ status: 413 })
) {}

/** 415: the body is not JSON. */
export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()(
  "UnsupportedMediaType",
  { code: documentedCodes("unsupported_media_type"), message: Schema.String },
  HttpApiSchema.annotations({ status: 415 })
) {}

/** 429: a rate limit is exhausted; the client may try again after `retryAfterSeconds`. */
export class TooManyRequests extends Schema.TaggedError<TooManyRequests>()(
  "TooManyRequests",
  {
    code: documentedCodes("rate_limited"),
    message: Schema.String,
    retryAfterSeconds: Schema.Int
  },
  HttpApiSchema.annotations({ status: 429 })
) {}

export const ServiceUnavailableCode = documentedCodes(
  "file_provider_unavailable",
  "database_unavailable",
  "server_not_ready"
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
  { code: documentedCodes("internal_error"), message: Schema.String, errorId: Schema.String },
  HttpApiSchema.annotations({ status: 500 })
) {}

/** A Markdown table of every error code, for the API description. */
export const errorCodeTable = [
  "| code | status | meaning |",
  "| --- | --- | --- |",
  ...Object.entries(errorCodeCatalogue).map(
    ([code, [status, meaning]]) => `| \`${code}\` | ${status} | ${meaning} |`
  )
].join("\n")
