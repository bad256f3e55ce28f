/**
 * `media.relocate`: renames published files or folders inside the media root, between the
 * public and the protected folder. Each move is idempotent: a source that is gone while its
 * target exists counts as moved, so a repeated or overtaken job succeeds. Both paths must lie
 * below `published/`, and a real path that leaves the media root is rejected.
 */
import * as NodeFs from "node:fs/promises"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import {
  normalizeMediaPath,
  publishedFolder,
  type MediaMove,
  type MediaRelocateInput,
  type MediaRelocateOutput
} from "@videoag/domain"
import { JobFailure } from "../JobFailure.js"
import * as MediaRoot from "../MediaRoot.js"

const checkPublishedPath = (path: string) => {
  const normalized = normalizeMediaPath(path)
  if (Either.isLeft(normalized)) {
    return Effect.fail(
      new JobFailure({
        kind: "input",
        code: "relocate_path_invalid",
        message: normalized.left.message
      })
    )
  }
  if (!normalized.right.startsWith(`${publishedFolder}/`)) {
    return Effect.fail(
      new JobFailure({
        kind: "input",
        code: "relocate_path_invalid",
        message: `The path ${JSON.stringify(path)} is not below ${publishedFolder}/; only published files are moved`
      })
    )
  }
  return Effect.succeed(normalized.right)
}

/**
 * Removes a folder only while it is empty. `rmdir` refuses a folder that is not, so a file a
 * concurrent job renames into it is never lost.
 */
const removeIfEmpty = (folder: string) =>
  Effect.tryPromise({
    try: () => NodeFs.rmdir(folder),
    catch: (cause) => cause
  })

const isInside = (root: string, candidate: string, path: Path.Path) => {
  const relative = path.relative(root, candidate)
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative)
}

/** Moves `from` to `to`; an existing target folder receives the entries of the source folder. */
const moveEntry = (
  from: string,
  to: string
): Effect.Effect<void, JobFailure, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const failure = MediaRoot.fileSystemFailure("relocate_failed", "move", from)
    const source = yield* fs.stat(from).pipe(Effect.mapError(failure))
    const targetExists = yield* fs.exists(to).pipe(Effect.mapError(failure))
    if (source.type === "Directory" && targetExists) {
      for (const entry of yield* fs.readDirectory(from).pipe(Effect.mapError(failure))) {
        yield* moveEntry(path.join(from, entry), path.join(to, entry))
      }
      yield* removeIfEmpty(from).pipe(Effect.ignore)
      return
    }
    yield* fs.makeDirectory(path.dirname(to), { recursive: true }).pipe(Effect.mapError(failure))
    yield* fs.rename(from, to).pipe(Effect.mapError(failure))
  })

/** Removes the empty folders above a moved path, up to the exposure folder. */
const removeEmptyParents = (root: string, relativePath: string) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const segments = relativePath.split("/")
    for (let depth = segments.length - 1; depth > 2; depth--) {
      yield* removeIfEmpty(path.join(root, ...segments.slice(0, depth)))
    }
  }).pipe(Effect.catchAll(() => Effect.void))

export const run = (input: MediaRelocateInput) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const root = yield* MediaRoot.realRoot
    const moved: Array<MediaMove> = []
    const missing: Array<MediaMove> = []

    for (const move of input.moves) {
      const from = yield* checkPublishedPath(move.from)
      const to = yield* checkPublishedPath(move.to)
      const absoluteFrom = path.join(root, from)
      const absoluteTo = path.join(root, to)
      const sourceExists = yield* fs
        .exists(absoluteFrom)
        .pipe(Effect.mapError(MediaRoot.fileSystemFailure("relocate_failed", "check", from)))
      if (!sourceExists) {
        const targetExists = yield* fs
          .exists(absoluteTo)
          .pipe(Effect.mapError(MediaRoot.fileSystemFailure("relocate_failed", "check", to)))
        ;(targetExists ? moved : missing).push({ from, to })
        continue
      }
      const realSource = yield* fs
        .realPath(absoluteFrom)
        .pipe(Effect.mapError(MediaRoot.fileSystemFailure("relocate_failed", "resolve", from)))
      if (!isInside(root, realSource, path)) {
        return yield* new JobFailure({
          kind: "input",
          code: "relocate_path_outside_media_root",
          message: `The path ${JSON.stringify(from)} leads outside the media root through a symbolic link`
        })
      }
      yield* moveEntry(absoluteFrom, absoluteTo)
      yield* removeEmptyParents(root, from)
      yield* Effect.logInfo("Moved published media").pipe(Effect.annotateLogs({ from, to }))
      moved.push({ from, to })
    }
    const output: MediaRelocateOutput = { moved, missing }
    return output
  }).pipe(Effect.withSpan("MediaRelocate.run"))
