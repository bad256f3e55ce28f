/**
 * Signed media links in the form nginx's `secure_link` module checks them. The file provider
 * is configured with
 *
 *     secure_link $arg_md5,$arg_expires;
 *     secure_link_md5 "$secure_link_expires$uri $secret";
 *
 * so a link carries `md5`, the unpadded base64url MD5 of the expiry (Unix seconds), the
 * decoded URI path and the secret joined as `<expires><path> <secret>`, and `expires`. The API
 * server signs; the embedded file provider checks with the same function.
 *
 * An HLS stream is many files whose playlists name each other by relative URLs, which carry no
 * query string. Its links therefore sign the stream's folder and carry the signature in the
 * path: `/signed/<md5>/<expires>/<folder>/-/<file>`, where `md5` covers `<expires>/<folder>`.
 * Relative URLs inside the playlists resolve below the same prefix and stay signed.
 */
import * as Crypto from "node:crypto"

/** The `md5` argument of a link to `uriPath` (decoded, starting with `/`) valid until `expires`. */
export const secureLinkHash = (expires: number, uriPath: string, secret: string) =>
  Crypto.createHash("md5").update(`${expires}${uriPath} ${secret}`, "utf8").digest("base64url")

/** Encodes a path relative to the media root as a URL path, one segment at a time. */
export const encodeMediaUrlPath = (relativePath: string) =>
  `/${relativePath.split("/").map(encodeURIComponent).join("/")}`

export type SecureLinkCheck = "valid" | "missing" | "invalid" | "expired"

/**
 * Checks `md5` and `expires` of a request for `uriPath` the way nginx does: `missing` or
 * `invalid` when nginx's `$secure_link` is empty (403), `expired` when it is `0` (410).
 */
export const checkSecureLink = (
  uriPath: string,
  md5: string | null,
  expires: string | null,
  secret: string,
  nowSeconds: number
): SecureLinkCheck => {
  if (md5 === null || md5 === "") return "missing"
  if (expires === null || !/^\d{1,12}$/.test(expires)) return "invalid"
  const expected = Buffer.from(secureLinkHash(Number(expires), uriPath, secret))
  const given = Buffer.from(md5)
  if (expected.length !== given.length || !Crypto.timingSafeEqual(expected, given)) {
    return "invalid"
  }
  return Number(expires) <= nowSeconds ? "expired" : "valid"
}

/** First segment of a folder-signed path. */
export const signedFolderPrefix = "/signed/"

/** The URL path of `file` in `folder` (both relative to the media root), signed for the folder. */
export const signedFolderPath = (folder: string, file: string, expires: number, secret: string) => {
  const md5 = secureLinkHash(expires, `/${folder}`, secret)
  return `${signedFolderPrefix}${md5}/${expires}${encodeMediaUrlPath(folder)}/-${encodeMediaUrlPath(file)}`
}

export interface SignedFolderRequest {
  readonly md5: string
  readonly expires: string
  /** Folder relative to the media root, e.g. `published/protected/ana/12/41/hls`. */
  readonly folder: string
  /** Path of the requested file below the folder. */
  readonly file: string
}

/**
 * Splits a folder-signed URL path (encoded or decoded; the parts keep the form they had), or
 * returns null when it has not that form.
 */
export const parseSignedFolderPath = (decodedPath: string): SignedFolderRequest | null => {
  const match = /^\/signed\/([A-Za-z0-9_-]+)\/(\d{1,12})\/(.+?)\/-\/(.+)$/.exec(decodedPath)
  if (match === null) return null
  const [, md5 = "", expires = "", folder = "", file = ""] = match
  return { md5, expires, folder, file }
}
