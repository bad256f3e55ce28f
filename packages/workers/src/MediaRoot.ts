/**
 * Resolves paths relative to the media root to real files. A path is accepted only when its
 * real location, after following symbolic links, is still inside the media root.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type { PlatformError } from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { normalizeMediaPath, workFolder, type JobErrorCode } from "@videoag/domain"
import { JobFailure } from "./JobFailure.js"
import { WorkerConfig } from "./WorkerConfig.js"

const isNotFound = (error: PlatformError) =>
  error._tag === "SystemError" && error.reason === "NotFound"

/** Maps an unexpected file-system error to a retryable failure that names the path. */
export const fileSystemFailure =
  (code: JobErrorCode, action: string, path: string) => (cause: PlatformError) =>
    new JobFailure({
      kind: "temporary",
      code,
      message: `Could not ${action} ${path}: ${cause.message}`,
      cause
    })

/** The real, absolute path of the media root. */
export const realRoot = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const { mediaRoot } = yield* WorkerConfig
  return yield* fs
    .realPath(mediaRoot)
    .pipe(
      Effect.mapError(
        fileSystemFailure("media_root_unavailable", "access the media root", mediaRoot)
      )
    )
})

export interface ResolvedFile {
  readonly relativePath: string
  readonly absolutePath: string
  readonly sizeBytes: number
  readonly modifiedAt: Date
}

/** Resolves the relative path of an existing regular file inside the media root. */
export const resolveFile = (relativePath: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const normalized = normalizeMediaPath(relativePath)
    if (Either.isLeft(normalized)) {
      return yield* new JobFailure({
        kind: "input",
        code:
          normalized.left.kind === "outside"
            ? "source_path_outside_media_root"
            : "source_path_invalid",
        message: normalized.left.message
      })
    }
    const root = yield* realRoot
    const quoted = JSON.stringify(relativePath)
    const real = yield* fs.realPath(path.join(root, normalized.right)).pipe(
      Effect.catchAll((error) =>
        isNotFound(error)
          ? new JobFailure({
              kind: "input",
              code: "source_file_not_found",
              message: `The file ${quoted} does not exist in the media root`
            })
          : Effect.fail(fileSystemFailure("source_file_unreadable", "resolve", quoted)(error))
      )
    )
    const relativeToRoot = path.relative(root, real)
    if (
      relativeToRoot === "" ||
      relativeToRoot.startsWith("..") ||
      path.isAbsolute(relativeToRoot)
    ) {
      return yield* new JobFailure({
        kind: "input",
        code: "source_path_outside_media_root",
        message: `The path ${quoted} leads outside the media root through a symbolic link`
      })
    }
    const info = yield* fs
      .stat(real)
      .pipe(Effect.mapError(fileSystemFailure("source_file_unreadable", "read", quoted)))
    if (info.type !== "File") {
      return yield* new JobFailure({
        kind: "input",
        code: "source_path_not_a_file",
        message: `The path ${quoted} is a ${info.type.toLowerCase()}, not a regular file`
      })
    }
    const resolved: ResolvedFile = {
      relativePath: normalized.right,
      absolutePath: real,
      sizeBytes: Number(info.size),
      modifiedAt: Option.getOrElse(info.mtime, () => new Date(0))
    }
    return resolved
  })

/** Resolves a folder for finished output inside the media root, without creating it. */
export const resolveOutputDirectory = (relativePath: string) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const normalized = normalizeMediaPath(relativePath)
    if (Either.isLeft(normalized)) {
      return yield* new JobFailure({
        kind: "input",
        code: "output_path_invalid",
        message: normalized.left.message
      })
    }
    const root = yield* realRoot
    return { relativePath: normalized.right, absolutePath: path.join(root, normalized.right) }
  })

/**
 * A private folder for one job attempt in the work folder of the media root, which the file
 * provider never serves. Folders of earlier attempts of the same job are removed first, and the
 * folder itself is removed when the scope closes, whatever the outcome.
 */
export const workDirectory = (jobId: string, attempt: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const parent = path.join(yield* realRoot, workFolder)
    const directory = path.join(parent, `job-${jobId}-${attempt}`)
    const create = Effect.gen(function* () {
      yield* fs.makeDirectory(parent, { recursive: true })
      for (const entry of yield* fs.readDirectory(parent)) {
        if (entry.startsWith(`job-${jobId}-`)) {
          yield* fs.remove(path.join(parent, entry), { recursive: true })
        }
      }
      yield* fs.makeDirectory(directory)
      return directory
    }).pipe(
      Effect.mapError(
        fileSystemFailure("work_directory_failed", "create the work folder", directory)
      )
    )
    return yield* Effect.acquireRelease(create, () =>
      fs
        .remove(directory, { recursive: true })
        .pipe(
          Effect.catchAll((error) =>
            Effect.logWarning("Could not remove the work folder", error).pipe(
              Effect.annotateLogs({ directory })
            )
          )
        )
    )
  })
