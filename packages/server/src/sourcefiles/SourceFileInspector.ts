/**
 * Checks a source file path against the media root without reading the media root: the server
 * asks the file provider, which mounts the media root, with a HEAD request. The provider
 * answers 200 with the size and modification time for a regular file inside the media root,
 * 404 for a missing file, 403 for a path that leads outside (symbolic links), and 409 or a
 * redirect for a folder.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ServerConfig } from "../ServerConfig.js"

export type Inspection = Data.TaggedEnum<{
  RegularFile: { readonly sizeBytes: number | null; readonly modifiedAt: Date | null }
  Missing: {}
  OutsideMediaRoot: {}
  NotAFile: {}
}>
export const Inspection = Data.taggedEnum<Inspection>()

export class InspectorUnavailable extends Data.TaggedError("InspectorUnavailable")<{
  readonly message: string
  readonly cause?: unknown
}> {}

export interface SourceFileInspectorService {
  /** Inspects a normalized path relative to the media root. */
  readonly inspect: (path: string) => Effect.Effect<Inspection, InspectorUnavailable>
}

export class SourceFileInspector extends Context.Tag("@videoag/server/SourceFileInspector")<
  SourceFileInspector,
  SourceFileInspectorService
>() {}

const toInspection = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>
): Inspection | null => {
  if (status === 200) {
    const length = Number(headers["content-length"])
    const lastModified =
      headers["last-modified"] !== undefined ? new Date(headers["last-modified"]) : null
    return Inspection.RegularFile({
      sizeBytes: Number.isSafeInteger(length) ? length : null,
      modifiedAt:
        lastModified !== null && !Number.isNaN(lastModified.getTime()) ? lastModified : null
    })
  }
  if (status === 404) return Inspection.Missing()
  if (status === 403) return Inspection.OutsideMediaRoot()
  if (status === 409 || (status >= 300 && status < 400)) return Inspection.NotAFile()
  return null
}

/** Asks the file provider at `VIDEOAG_SOURCE_FILE_CHECK_URL`. */
export const layerFileProvider = Layer.effect(
  SourceFileInspector,
  Effect.gen(function* () {
    const settings = yield* ServerConfig
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerPropagation(false))
    const inspect = (path: string) =>
      Effect.gen(function* () {
        const url = `${settings.sourceFileCheckUrl}/${path.split("/").map(encodeURIComponent).join("/")}`
        const response = yield* client.execute(HttpClientRequest.head(url)).pipe(
          Effect.timeout(Duration.seconds(10)),
          Effect.mapError(
            (cause) =>
              new InspectorUnavailable({
                message: `The file provider could not be reached, or did not respond within 10 seconds, for a check of ${url}`,
                cause
              })
          )
        )
        const inspection = toInspection(response.status, response.headers)
        if (inspection === null) {
          return yield* new InspectorUnavailable({
            message: `The file provider responded ${response.status} to a check of ${url}, which the API server does not understand`
          })
        }
        return inspection
      }).pipe(Effect.scoped, Effect.withSpan("SourceFileInspector.inspect"))
    return SourceFileInspector.of({ inspect })
  })
)
