/**
 * `media.delete_files`: housekeeping's removal of the published files of removed media. Only
 * paths below the published folder are accepted, and a file is deleted only while its size and
 * modification time still equal those the listing reported, so a file published again since
 * then is kept. An HLS stream loses the files its playlists name; folders left empty by the
 * deletions are removed up to the published folder.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as NodeFs from "node:fs/promises"
import {
  normalizeMediaPath,
  publishedFolder,
  type FileToDelete,
  type MediaDeleteFilesInput,
  type MediaDeleteFilesOutput,
  type SkippedEntry
} from "@videoag/domain"
import * as Hls from "../Hls.js"
import { JobFailure } from "../JobFailure.js"
import * as MediaRoot from "../MediaRoot.js"

// NOTE: only the published folder is accepted; a second folder for protected files would
// have to be added here.
const deletableFolders: ReadonlyArray<string> = [publishedFolder]

export const run = (input: MediaDeleteFilesInput) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const root = yield* MediaRoot.realRoot

    const checked = yield* Effect.forEach(input.files, (file) => {
      const normalized = normalizeMediaPath(file.path)
      const top = Either.isRight(normalized) ? normalized.right.split("/")[0] : undefined
      if (Either.isLeft(normalized) || top === undefined || !deletableFolders.includes(top)) {
        return new JobFailure({
          kind: "input",
          code: "path_not_deletable",
          message: `The path ${JSON.stringify(file.path)} is not below ${deletableFolders.map((folder) => `${folder}/`).join(" or ")}; housekeeping deletes only published files`
        })
      }
      return Effect.succeed({ ...file, path: normalized.right })
    })

    const failure = (action: string, target: string) =>
      MediaRoot.fileSystemFailure("delete_failed", action, JSON.stringify(target))

    /**
     * Removes empty folders from `directory` upwards, stopping below the deletable folder.
     * `rmdir` removes only empty folders, so a file that arrives meanwhile stops the walk.
     */
    const removeEmptyParents = (directory: string) =>
      Effect.gen(function* () {
        let current = directory
        while (path.relative(root, current).split(path.sep).length > 1) {
          const removed = yield* Effect.tryPromise(() => NodeFs.rmdir(current)).pipe(
            Effect.as(true),
            Effect.orElseSucceed(() => false)
          )
          if (!removed) return
          current = path.dirname(current)
        }
      })

    const deleteOne = (file: FileToDelete) =>
      Effect.gen(function* () {
        const absolutePath = path.join(root, file.path)
        const info = yield* Effect.option(fs.stat(absolutePath))
        if (Option.isNone(info)) return "gone" as const
        const real = yield* fs
          .realPath(path.dirname(absolutePath))
          .pipe(Effect.mapError(failure("resolve", file.path)))
        if (real !== path.dirname(absolutePath)) {
          return { kept: "The path passes through a symbolic link" }
        }
        const modifiedAt = Option.getOrElse(info.value.mtime, () => new Date(0))
        if (modifiedAt.getTime() !== file.modifiedAt.getTime()) {
          return { kept: "The file changed since it was listed" }
        }
        const directory = path.dirname(absolutePath)
        if (file.kind === "file") {
          if (Number(info.value.size) !== file.sizeBytes) {
            return { kept: "The file changed since it was listed" }
          }
          yield* fs.remove(absolutePath).pipe(Effect.mapError(failure("delete", file.path)))
        } else {
          const stream = yield* Hls.readPackage(directory, path.basename(absolutePath))
          let total = 0
          for (const name of yield* fs
            .readDirectory(directory)
            .pipe(Effect.mapError(failure("read", file.path)))) {
            const entry = yield* Effect.option(fs.stat(path.join(directory, name)))
            if (Option.isSome(entry) && entry.value.type === "File")
              total += Number(entry.value.size)
          }
          if (total !== file.sizeBytes) {
            return { kept: "The stream's folder changed since it was listed" }
          }
          // The master goes first, so a stream that is half deleted is no longer announced.
          for (const name of stream.files) {
            yield* fs
              .remove(path.join(directory, name))
              .pipe(Effect.mapError(failure("delete", `${path.dirname(file.path)}/${name}`)))
          }
        }
        yield* removeEmptyParents(directory)
        return "deleted" as const
      })

    const deleted: Array<string> = []
    const alreadyGone: Array<string> = []
    const kept: Array<SkippedEntry> = []
    for (const file of checked) {
      const outcome = yield* deleteOne(file)
      if (outcome === "deleted") deleted.push(file.path)
      else if (outcome === "gone") alreadyGone.push(file.path)
      else kept.push({ path: file.path, reason: outcome.kept })
    }
    yield* Effect.logInfo("Deleted published files").pipe(
      Effect.annotateLogs({
        deleted: deleted.length,
        alreadyGone: alreadyGone.length,
        kept: kept.length
      })
    )
    const output: MediaDeleteFilesOutput = { deleted, alreadyGone, kept }
    return output
  }).pipe(Effect.withSpan("MediaDeleteFiles.run"))
