/**
 * Addresses of published files at the file provider. The API never reads media files; it only
 * builds their URLs from the stored paths: plain URLs for files in the public folder, and
 * signed, expiring URLs (nginx `secure_link`) for files in the protected folder, signed for the
 * whole folder in the case of an HLS stream. Expiry times are rounded up to a quarter hour, so
 * repeated requests return the same, cacheable URL.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import {
  encodeMediaUrlPath,
  exposureOfPath,
  LectureThumbnails,
  Medium,
  Poster,
  secureLinkHash,
  signedFolderPath,
  StoryboardImages
} from "@videoag/domain"
import type { MediumRecord, ThumbnailRecord } from "@videoag/domain/sql"
import { ServerConfig } from "../ServerConfig.js"

const expiryStepSeconds = 15 * 60

const hlsMimeType = "application/vnd.apple.mpegurl"

/** HLS playlists are streamed, never offered for download. */
const streamOnlyMimeTypes: ReadonlySet<string> = new Set([hlsMimeType])

/**
 * Files that name other files of their folder by relative URL (an HLS playlist its segments, a
 * storyboard track its sprite), so a protected one is signed for its whole folder.
 */
const folderSignedMimeTypes: ReadonlySet<string> = new Set([hlsMimeType, "text/vtt"])

export class MediaUrls extends Effect.Service<MediaUrls>()("@videoag/server/MediaUrls", {
  effect: Effect.map(ServerConfig, (settings) => {
    const secret = Redacted.value(settings.secureLinkSecret)

    /**
     * Returns the URL of a published file, signed when it lies in the protected folder. A protected HLS
     * playlist or storyboard track gets a link signed for its folder, so the files it names are
     * covered too.
     */
    const urlOf = (path: string, now: Date = new Date(), mimeType = "") => {
      const uriPath = encodeMediaUrlPath(path)
      const base = `${settings.fileProviderUrl}${uriPath}`
      if (exposureOfPath(path) !== "protected") return base
      const earliest =
        Math.floor(now.getTime() / 1000) + Duration.toSeconds(settings.mediaUrlLifetime)
      const expires = Math.ceil(earliest / expiryStepSeconds) * expiryStepSeconds
      if (folderSignedMimeTypes.has(mimeType)) {
        const slash = path.lastIndexOf("/")
        const folderPath = signedFolderPath(
          path.slice(0, slash),
          path.slice(slash + 1),
          expires,
          secret
        )
        return `${settings.fileProviderUrl}${folderPath}`
      }
      const md5 = secureLinkHash(expires, `/${path}`, secret)
      return `${base}?md5=${md5}&expires=${expires}`
    }

    const toMedium = (record: MediumRecord, downloadable: boolean) => {
      const url = urlOf(record.path, new Date(), record.mimeType)
      return new Medium({
        id: record.id,
        profile: record.profile,
        url,
        downloadUrl:
          downloadable && !streamOnlyMimeTypes.has(record.mimeType)
            ? `${url}${url.includes("?") ? "&" : "?"}download=1`
            : null,
        mimeType: record.mimeType,
        sizeBytes: record.sizeBytes,
        durationSeconds: record.durationSeconds ?? 0,
        width: record.width,
        height: record.height,
        visible: record.visible
      })
    }

    /** Builds the poster and storyboard from a lecture's newest thumbnails. */
    const toThumbnails = (records: ReadonlyArray<ThumbnailRecord>) => {
      const now = new Date()
      const poster = records.find((record) => record.kind === "poster")
      const storyboard = records.find(
        (record) => record.kind === "storyboard" && record.trackPath !== null
      )
      return new LectureThumbnails({
        poster:
          poster === undefined
            ? null
            : new Poster({
                url: urlOf(poster.path, now),
                width: poster.width,
                height: poster.height
              }),
        storyboard:
          storyboard?.trackPath == null
            ? null
            : new StoryboardImages({
                trackUrl: urlOf(storyboard.trackPath, now, "text/vtt"),
                spriteUrl: urlOf(storyboard.path, now, "text/vtt"),
                width: storyboard.width,
                height: storyboard.height
              })
      })
    }

    return { urlOf, toMedium, toThumbnails } as const
  })
}) {}
