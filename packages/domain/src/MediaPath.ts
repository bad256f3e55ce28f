/**
 * Lexical rules for paths relative to the media root. The server checks them before it asks
 * the file provider about a path; workers check them again before they open a file, and then
 * also resolve symbolic links against the real media root.
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/** A path relative to the media root, as stored in the database and passed to workers. */
export const RelativeMediaPath = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(1024))

/** Folder of the media root that holds published files; the file provider serves only it. */
export const publishedFolder = "published"

/** Folder below `published/` for media everyone may watch; served with plain URLs. */
export const publicMediaFolder = `${publishedFolder}/public`

/** Folder below `published/` for protected media; served only with signed, expiring URLs. */
export const protectedMediaFolder = `${publishedFolder}/protected`

/** `public` for media served with plain URLs, `protected` for signed ones. */
export type MediaExposure = "public" | "protected"

/** The folder of published media with the given exposure. */
export const mediaFolderOf = (exposure: MediaExposure) =>
  exposure === "public" ? publicMediaFolder : protectedMediaFolder

/**
 * The exposure a published path has, or none for a path outside both folders (media published
 * before the two folders existed).
 */
export const exposureOfPath = (path: string): MediaExposure | null =>
  path.startsWith(`${publicMediaFolder}/`)
    ? "public"
    : path.startsWith(`${protectedMediaFolder}/`)
      ? "protected"
      : null

/** The path a published file gets when it moves to the folder of `exposure`. */
export const withExposure = (path: string, exposure: MediaExposure): string => {
  const current = exposureOfPath(path)
  const rest =
    current === null
      ? path.slice(publishedFolder.length + 1)
      : path.slice(mediaFolderOf(current).length + 1)
  return `${mediaFolderOf(exposure)}/${rest}`
}

/** Folder of the media root where workers keep unfinished output; never served. */
export const workFolder = ".videoag-work"

const reservedTopLevelFolders: ReadonlySet<string> = new Set([publishedFolder, workFolder])

const maxPathBytes = 1024

export type MediaPathProblemKind = "empty" | "absolute" | "outside" | "malformed" | "reserved"

export class MediaPathProblem extends Data.TaggedError("MediaPathProblem")<{
  readonly kind: MediaPathProblemKind
  readonly path: string
  readonly message: string
}> {}

const problem = (kind: MediaPathProblemKind, path: string, message: string) =>
  Either.left(new MediaPathProblem({ kind, path, message }))

/**
 * Normalizes a path relative to the media root: drops `.` and empty segments and rejects
 * absolute paths, `..` segments, control characters and overlong paths. Returns the path with
 * single `/` separators.
 */
export const normalizeMediaPath = (path: string): Either.Either<string, MediaPathProblem> => {
  if (path.trim() === "") {
    return problem("empty", path, "The path is empty; give a file path relative to the media root")
  }
  if (path.startsWith("/")) {
    return problem(
      "absolute",
      path,
      `The path ${JSON.stringify(path)} is absolute; give it relative to the media root`
    )
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) {
    return problem(
      "malformed",
      path,
      `The path ${JSON.stringify(path)} contains control characters, which file names here may not contain`
    )
  }
  if (Buffer.byteLength(path, "utf8") > maxPathBytes) {
    return problem(
      "malformed",
      path,
      `The path is longer than ${maxPathBytes} bytes; shorten the folder or file name`
    )
  }
  const segments = path.split("/").filter((segment) => segment !== "" && segment !== ".")
  if (segments.includes("..")) {
    return problem(
      "outside",
      path,
      `The path ${JSON.stringify(path)} contains "..", which could leave the media root; give the path from the media root down`
    )
  }
  if (segments.length === 0) {
    return problem(
      "empty",
      path,
      `The path ${JSON.stringify(path)} names the media root itself, not a file`
    )
  }
  return Either.right(segments.join("/"))
}

/**
 * Normalizes the path of a raw recording like `normalizeMediaPath` and also rejects paths in
 * the folders the system writes itself.
 */
export const normalizeSourcePath = (path: string): Either.Either<string, MediaPathProblem> =>
  Either.flatMap(normalizeMediaPath(path), (normalized) => {
    const top = normalized.split("/")[0] ?? ""
    return reservedTopLevelFolders.has(top) ? reservedProblem(path, top) : Either.right(normalized)
  })

const reservedProblem = (path: string, top: string) =>
  problem(
    "reserved",
    path,
    `The path ${JSON.stringify(path)} lies in the reserved folder "${top}/", which holds the system's own output`
  )
