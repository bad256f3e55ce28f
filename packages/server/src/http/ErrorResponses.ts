/**
 * Gives every failed request the API's JSON error shape: failed decoding becomes a
 * `ValidationError` naming the field, an unknown route a `NotFound`, an unreadable body an
 * `invalid_json` error, and a defect an `InternalError` whose id appears in the server log.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Crypto from "node:crypto"
import {
  InternalError,
  NotFound,
  PayloadTooLarge,
  ValidationError,
  VideoAgApi
} from "@videoag/domain"

interface DecodeIssue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

const hasTag = (value: unknown, tag: string): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && "_tag" in value && value._tag === tag

const fieldOf = (issue: DecodeIssue) =>
  issue.path.length > 0 ? issue.path.map(String).join(".") : "body"

/**
 * Whether an issue only says that a value is not one of a union's trivial members (null,
 * undefined, the empty string), as for `NullOr` fields: noise beside the issue that explains
 * what the value lacks.
 */
const isTrivialAlternative = (issue: DecodeIssue) =>
  /^Expected (?:null|undefined|""), actual /.test(issue.message)

/** The issues worth reporting: trivial alternatives only where a field has nothing better. */
const relevantIssues = (issues: ReadonlyArray<DecodeIssue>) =>
  issues.filter(
    (issue) =>
      !isTrivialAlternative(issue) ||
      !issues.some((other) => fieldOf(other) === fieldOf(issue) && !isTrivialAlternative(other))
  )

const validationError = (allIssues: ReadonlyArray<DecodeIssue>) => {
  const issues = relevantIssues(allIssues)
  const [first] = issues
  const described = issues.map((issue) => ({ field: fieldOf(issue), message: issue.message }))
  return new ValidationError({
    code: "invalid_request",
    message:
      first !== undefined
        ? `Invalid ${fieldOf(first)}: ${first.message}`
        : "The request is invalid",
    ...(first !== undefined ? { field: fieldOf(first) } : {}),
    issues: described
  })
}

/** A body read that failed because it exceeded the size limit. */
const isTooLarge = (error: Record<string, unknown>) =>
  /too large|maxBytes|exceed/i.test(String((error.cause as { message?: unknown })?.message ?? ""))

/** Maps a failure or defect the API's error schema does not describe to one it does, or none. */
const translate = (error: unknown): Option.Option<ValidationError | NotFound | PayloadTooLarge> => {
  if (hasTag(error, "HttpApiDecodeError")) {
    return Option.some(
      validationError((error.issues as ReadonlyArray<DecodeIssue> | undefined) ?? [])
    )
  }
  if (hasTag(error, "RouteNotFound")) {
    return Option.some(
      new NotFound({ code: "route_not_found", message: "No API endpoint at this method and path" })
    )
  }
  if (hasTag(error, "RequestError")) {
    return Option.some(
      isTooLarge(error)
        ? new PayloadTooLarge({
            code: "payload_too_large",
            message: "The body is larger than the API accepts (1 MiB)"
          })
        : new ValidationError({
            code: "invalid_json",
            message: "The request body could not be read as JSON",
            field: "body"
          })
    )
  }
  return Option.none()
}

export const layer = HttpApiBuilder.middleware(VideoAgApi, (app) =>
  app.pipe(
    Effect.catchAllCause(
      (
        cause
      ): Effect.Effect<never, ValidationError | NotFound | PayloadTooLarge | InternalError> => {
        const failure = Cause.failureOption(cause)
        if (Option.isSome(failure)) {
          const translated = translate(failure.value)
          return Option.isSome(translated) ? Effect.fail(translated.value) : Effect.failCause(cause)
        }
        const defect = Cause.dieOption(cause)
        if (Option.isSome(defect)) {
          const translated = translate(defect.value)
          if (Option.isSome(translated)) return Effect.fail(translated.value)
        }
        if (Cause.isInterruptedOnly(cause)) {
          return Effect.failCause(cause)
        }
        const errorId = Crypto.randomUUID()
        return Effect.zipRight(
          Effect.logError("Request failed with an unexpected error", cause).pipe(
            Effect.annotateLogs({ errorId })
          ),
          Effect.fail(
            new InternalError({
              code: "internal_error",
              message: `An unexpected error occurred; report the error id ${errorId}`,
              errorId
            })
          )
        )
      }
    )
  )
)
