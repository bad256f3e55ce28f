/**
 * The file provider of the embedded default: a small read-only HTTP server for the media root,
 * standing in for nginx and behaving like `docker/nginx/file-provider.conf`. It serves
 * `/published/public/` to everyone and `/published/protected/` only with a valid signed link
 * (403 when the signature is missing or wrong, 410 when it has expired), and the files of
 * protected HLS folders under `/signed/`, with range requests;
 * `?download=1` makes the browser save the file. It answers the API server's HEAD checks of
 * source files under `/internal/source-files/`. Paths whose real location (after symbolic links)
 * leaves the media root are never served.
 */
import * as Fs from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Path from "node:path"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import {
  checkSecureLink,
  parseSignedFolderPath,
  protectedMediaFolder,
  publicMediaFolder,
  signedFolderPrefix
} from "@videoag/domain"

export interface FileProviderOptions {
  readonly mediaRoot: string
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  /** Secret of the signed links to protected media, shared with the API server. */
  readonly secureLinkSecret: Redacted.Redacted
}

export interface FileProviderServer {
  readonly url: string
  /** Base URL of the source-file checks for the API server. */
  readonly sourceFileCheckUrl: string
  readonly port: number
}

export const sourceFileCheckPrefix = "/internal/source-files/"
const publicPrefix = `/${publicMediaFolder}/`
const protectedPrefix = `/${protectedMediaFolder}/`

const mimeTypes: Record<string, string> = {
  ".mp4": "video/mp4",
  ".m4v": "video/mp4",
  ".m4a": "audio/mp4",
  ".m3u8": "application/vnd.apple.mpegurl",
  ".m4s": "video/iso.segment",
  ".vtt": "text/vtt; charset=utf-8",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".json": "application/json"
}

/** Splits a URL path below `prefix` into decoded segments; none for malformed or hidden ones. */
const segmentsOf = (urlPath: string, prefix: string): ReadonlyArray<string> | null => {
  let segments: Array<string>
  try {
    segments = urlPath.slice(prefix.length).split("/").map(decodeURIComponent)
  } catch {
    return null
  }
  const valid = segments.every(
    (segment) =>
      segment !== "" &&
      !segment.startsWith(".") &&
      !segment.includes("\0") &&
      !segment.includes("/")
  )
  return valid && segments.length > 0 ? segments : null
}

type Resolution =
  | { readonly kind: "file"; readonly path: string; readonly stat: Fs.Stats }
  | { readonly kind: "directory" }
  | { readonly kind: "missing" }
  | { readonly kind: "outside" }

/** Resolves segments below `base` and checks that the real path stays inside `root`. */
const resolve = async (
  root: string,
  base: string,
  segments: ReadonlyArray<string>
): Promise<Resolution> => {
  let real: string
  try {
    real = await Fs.promises.realpath(Path.join(base, ...segments))
  } catch {
    return { kind: "missing" }
  }
  const relative = Path.relative(root, real)
  if (relative === "" || relative.startsWith("..") || Path.isAbsolute(relative)) {
    return { kind: "outside" }
  }
  const stat = await Fs.promises.stat(real)
  if (stat.isDirectory()) return { kind: "directory" }
  if (!stat.isFile()) return { kind: "outside" }
  return { kind: "file", path: real, stat }
}

/** Parses a single-range `Range` header against a file size; null when absent or unusable. */
export const parseRange = (
  header: string | undefined,
  size: number
): { start: number; end: number } | "invalid" | null => {
  if (header === undefined) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (match === null) return null
  const [, first = "", last = ""] = match
  if (first === "" && last === "") return "invalid"
  if (first === "") {
    const suffix = Number(last)
    if (suffix === 0) return "invalid"
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1)
  return start > end || start >= size ? "invalid" : { start, end }
}

const respond = (
  response: Http.ServerResponse,
  status: number,
  headers: Http.OutgoingHttpHeaders = {}
) => {
  response.writeHead(status, headers)
  response.end()
}

const corsHeaders: Http.OutgoingHttpHeaders = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "Content-Length, Content-Range, Accept-Ranges"
}

/** Serves a regular file below `base` with ranges, caching headers and the download option. */
const serveFile = async (
  base: string,
  segments: ReadonlyArray<string>,
  request: Http.IncomingMessage,
  response: Http.ServerResponse,
  url: URL,
  isProtected: boolean
) => {
  const resolved = await resolve(base, base, segments)
  if (resolved.kind !== "file") return respond(response, 404, corsHeaders)
  const { stat } = resolved
  const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`
  const headers: Http.OutgoingHttpHeaders = {
    ...corsHeaders,
    "accept-ranges": "bytes",
    "content-type":
      mimeTypes[Path.extname(resolved.path).toLowerCase()] ?? "application/octet-stream",
    "last-modified": stat.mtime.toUTCString(),
    etag,
    "cache-control": isProtected ? "private, max-age=3600" : "public, max-age=3600",
    ...(url.searchParams.get("download") === "1" ? { "content-disposition": "attachment" } : {})
  }
  if (request.headers["if-none-match"] === etag) return respond(response, 304, headers)
  const range = parseRange(request.headers.range, stat.size)
  if (range === "invalid") {
    return respond(response, 416, { ...headers, "content-range": `bytes */${stat.size}` })
  }
  const start = range?.start ?? 0
  const end = range?.end ?? stat.size - 1
  const partialHeaders =
    range !== null ? { "content-range": `bytes ${start}-${end}/${stat.size}` } : {}
  response.writeHead(range !== null ? 206 : 200, {
    ...headers,
    ...partialHeaders,
    "content-length": stat.size === 0 ? 0 : end - start + 1
  })
  if (request.method === "HEAD" || stat.size === 0) return response.end()
  const stream = Fs.createReadStream(resolved.path, { start, end })
  stream.on("error", () => response.destroy())
  stream.pipe(response)
}

/** Returns the status nginx sends for a failed signature check, or null for a valid one. */
const rejectionOf = (check: ReturnType<typeof checkSecureLink>) => {
  if (check === "valid") return null
  return check === "expired" ? 410 : 403
}

const servePublished = async (
  root: string,
  request: Http.IncomingMessage,
  response: Http.ServerResponse,
  url: URL,
  prefix: string,
  secret: string
) => {
  const segments = segmentsOf(url.pathname, prefix)
  if (segments === null) return respond(response, 404, corsHeaders)
  const isProtected = prefix === protectedPrefix
  if (isProtected) {
    const rejection = rejectionOf(
      checkSecureLink(
        `${prefix}${segments.join("/")}`,
        url.searchParams.get("md5"),
        url.searchParams.get("expires"),
        secret,
        Math.floor(Date.now() / 1000)
      )
    )
    if (rejection !== null) return respond(response, rejection, corsHeaders)
  }
  await serveFile(
    Path.join(root, ...prefix.split("/")),
    segments,
    request,
    response,
    url,
    isProtected
  )
}

/** Serves a file of a protected folder whose link signs the folder (HLS streams). */
const serveSignedFolder = async (
  root: string,
  request: Http.IncomingMessage,
  response: Http.ServerResponse,
  url: URL,
  secret: string
) => {
  // The path stays encoded until `segmentsOf` decodes each segment, as for the other routes.
  const signed = parseSignedFolderPath(url.pathname)
  const folder = signed === null ? null : segmentsOf(`/${signed.folder}`, protectedPrefix)
  const file = signed === null ? null : segmentsOf(`/${signed.file}`, "/")
  if (
    signed === null ||
    folder === null ||
    file === null ||
    !`/${signed.folder}/`.startsWith(protectedPrefix)
  ) {
    return respond(response, 404, corsHeaders)
  }
  const rejection = rejectionOf(
    checkSecureLink(
      `${protectedPrefix}${folder.join("/")}`,
      signed.md5,
      signed.expires,
      secret,
      Math.floor(Date.now() / 1000)
    )
  )
  if (rejection !== null) return respond(response, rejection, corsHeaders)
  await serveFile(
    Path.join(root, ...protectedPrefix.split("/")),
    [...folder, ...file],
    request,
    response,
    url,
    true
  )
}

const checkSourceFile = async (root: string, response: Http.ServerResponse, urlPath: string) => {
  const segments = segmentsOf(urlPath, sourceFileCheckPrefix)
  if (segments === null) return respond(response, 404)
  const resolved = await resolve(root, root, segments)
  switch (resolved.kind) {
    case "file":
      return respond(response, 200, {
        "content-length": resolved.stat.size,
        "last-modified": resolved.stat.mtime.toUTCString()
      })
    case "directory":
      return respond(response, 409)
    case "missing":
      return respond(response, 404)
    case "outside":
      return respond(response, 403)
  }
}

const handler =
  (root: string, secret: string) =>
  (request: Http.IncomingMessage, response: Http.ServerResponse): void => {
    let url: URL
    try {
      url = new URL(request.url ?? "/", "http://file-provider")
    } catch {
      return respond(response, 400)
    }
    const urlPath = url.pathname
    const isCheck = urlPath.startsWith(sourceFileCheckPrefix)
    const allowed = isCheck ? ["HEAD"] : ["GET", "HEAD"]
    if (!allowed.includes(request.method ?? "")) {
      return respond(response, 405, { allow: allowed.join(", ") })
    }
    const prefix = [publicPrefix, protectedPrefix].find((candidate) =>
      urlPath.startsWith(candidate)
    )
    const work = isCheck
      ? checkSourceFile(root, response, urlPath)
      : prefix !== undefined
        ? servePublished(root, request, response, url, prefix, secret)
        : urlPath.startsWith(signedFolderPrefix)
          ? serveSignedFolder(root, request, response, url, secret)
          : Promise.resolve(respond(response, 404))
    work.catch(() => {
      if (!response.headersSent) respond(response, 500)
      else response.destroy()
    })
  }

/** Serves the media root for the lifetime of the scope. */
export const start = (options: FileProviderOptions) =>
  Effect.gen(function* () {
    const root = yield* Effect.promise(async () => {
      for (const folder of [publicMediaFolder, protectedMediaFolder]) {
        await Fs.promises.mkdir(Path.join(options.mediaRoot, folder), { recursive: true })
      }
      return Fs.promises.realpath(options.mediaRoot)
    })
    const server = yield* Effect.acquireRelease(
      Effect.async<Http.Server, Error>((resume) => {
        const server = Http.createServer(handler(root, Redacted.value(options.secureLinkSecret)))
        server.once("error", (error) => resume(Effect.fail(error)))
        server.listen(options.port, options.host, () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    const { port } = server.address() as AddressInfo
    const host = options.host.includes(":") ? `[${options.host}]` : options.host
    const url = `http://${host}:${port}`
    yield* Effect.logInfo("File provider listening").pipe(
      Effect.annotateLogs({ url, mediaRoot: root })
    )
    const provider: FileProviderServer = {
      url,
      sourceFileCheckUrl: `${url}${sourceFileCheckPrefix.replace(/\/$/, "")}`,
      port
    }
    return provider
  }).pipe(Effect.withSpan("FileProvider.start"))
