/**
 * Rejects bodies the API cannot take before any handler reads them: a body that is not JSON
 * gets 415, a body larger than 1 MiB gets 413. A body without a `Content-Length` is cut off at
 * the same size while it is read; a client still sending then may see the connection reset
 * instead of the 413.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { PayloadTooLarge, UnsupportedMediaType, VideoAgApi } from "@videoag/domain"

export const maxBodyBytes = 1024 * 1024

const bodyMethods: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"])

const hasBody = (headers: Readonly<Record<string, string | undefined>>) =>
  headers["transfer-encoding"] !== undefined ||
  (headers["content-length"] !== undefined && headers["content-length"] !== "0")

export const layer = HttpApiBuilder.middleware(VideoAgApi, (app) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (bodyMethods.has(request.method) && hasBody(request.headers)) {
      const contentType = (request.headers["content-type"] ?? "application/json").toLowerCase()
      if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/.test(contentType)) {
        return yield* new UnsupportedMediaType({
          code: "unsupported_media_type",
          message: `The body has the content type ${JSON.stringify(request.headers["content-type"])}; send JSON with Content-Type: application/json`
        })
      }
      const length = Number(request.headers["content-length"] ?? "0")
      if (!Number.isFinite(length) || length > maxBodyBytes) {
        return yield* new PayloadTooLarge({
          code: "payload_too_large",
          message: `The body has ${request.headers["content-length"]} bytes; the API accepts at most ${maxBodyBytes}`
        })
      }
    }
    return yield* HttpIncomingMessage.withMaxBodySize(app, Option.some(maxBodyBytes))
  })
)
