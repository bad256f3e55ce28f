/**
 * Addresses of published files at the file provider. The API never reads media files; it only
 * builds their URLs from the stored paths.
 */
import * as Effect from "effect/Effect"
import { Medium } from "@videoag/domain"
import type { MediumRecord } from "@videoag/domain/sql"
import { ServerConfig } from "../ServerConfig.js"

export class MediaUrls extends Effect.Service<MediaUrls>()("@videoag/server/MediaUrls", {
  effect: Effect.map(ServerConfig, (settings) => {
    const urlOf = (path: string) =>
      `${settings.fileProviderUrl}/${path.split("/").map(encodeURIComponent).join("/")}`

    const toMedium = (record: MediumRecord) =>
      new Medium({
        id: record.id,
        profile: record.profile,
        url: urlOf(record.path),
        mimeType: record.mimeType,
        sizeBytes: record.sizeBytes,
        durationSeconds: record.durationSeconds ?? 0,
        width: record.width,
        height: record.height
      })

    return { urlOf, toMedium } as const
  })
}) {}
