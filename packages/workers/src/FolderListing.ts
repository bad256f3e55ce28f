/**
 * Lists folders of the media root entry by entry, without following symbolic links, for the
 * jobs that report what lies on disk (the sorter's scan, the housekeeping listing).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { normalizeMediaPath } from "@videoag/domain"
import { JobFailure } from "./JobFailure.js"
import * as MediaRoot from "./MediaRoot.js"
import type { WorkerConfig } from "./WorkerConfig.js"

const entryKinds: Partial<Record<FileSystem.File.Type, EntryKind>> = {
  File: "file",
  Directory: "directory"
}

/** The services the listing functions need. */
export type Requirements = FileSystem.FileSystem | Path.Path | WorkerConfig

export type EntryKind = "file" | "directory" | "symbolic-link" | "other"

export interface FolderEntry {
  readonly name: string
  /** Path relative to the media root. */
  readonly relativePath: string
  readonly absolutePath: string
  readonly kind: EntryKind
  readonly sizeBytes: number
  readonly modifiedAt: Date
}

export interface ResolvedFolder {
  readonly relativePath: string
  readonly absolutePath: string
  readonly exists: boolean
}

/**
 * Resolves a folder of the media root. A missing folder is reported as such; a path that is
 * not a folder, or whose real location leaves the media root, fails the job.
 */
export const resolveFolder = (relativePath: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const normalized = normalizeMediaPath(relativePath)
    if (Either.isLeft(normalized)) {
      return yield* new JobFailure({
        kind: "input",
        code: "folder_path_invalid",
        message: normalized.left.message
      })
    }
    const root = yield* MediaRoot.realRoot
    const absolutePath = path.join(root, normalized.right)
    const quoted = JSON.stringify(normalized.right)
    const failure = MediaRoot.fileSystemFailure("folder_unreadable", "read the folder", quoted)
    if (!(yield* fs.exists(absolutePath).pipe(Effect.mapError(failure)))) {
      const missing: ResolvedFolder = {
        relativePath: normalized.right,
        absolutePath,
        exists: false
      }
      return missing
    }
    const real = yield* fs.realPath(absolutePath).pipe(Effect.mapError(failure))
    const inside = path.relative(root, real)
    if (inside === "" || inside.startsWith("..") || path.isAbsolute(inside)) {
      return yield* new JobFailure({
        kind: "input",
        code: "folder_outside_media_root",
        message: `The folder ${quoted} leads outside the media root through a symbolic link`
      })
    }
    const info = yield* fs.stat(real).pipe(Effect.mapError(failure))
    if (info.type !== "Directory") {
      return yield* new JobFailure({
        kind: "input",
        code: "folder_not_a_directory",
        message: `The path ${quoted} is a ${info.type.toLowerCase()}, not a folder`
      })
    }
    const resolved: ResolvedFolder = {
      relativePath: normalized.right,
      absolutePath: real,
      exists: true
    }
    return resolved
  })

/** The entries of one folder, sorted by name; a symbolic link is reported, not followed. */
export const list = (folder: { readonly relativePath: string; readonly absolutePath: string }) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const failure = MediaRoot.fileSystemFailure(
      "folder_unreadable",
      "read the folder",
      JSON.stringify(folder.relativePath)
    )
    const names = [...(yield* fs.readDirectory(folder.absolutePath).pipe(Effect.mapError(failure)))]
    names.sort()
    const entries: Array<FolderEntry> = []
    for (const name of names) {
      const absolutePath = path.join(folder.absolutePath, name)
      const relativePath = `${folder.relativePath}/${name}`
      const isLink = Either.isRight(yield* Effect.either(fs.readLink(absolutePath)))
      // The entry may vanish between listing and stat, e.g. a temporary file being renamed.
      const info = isLink ? Option.none() : yield* Effect.option(fs.stat(absolutePath))
      if (!isLink && Option.isNone(info)) continue
      const kind: EntryKind = Option.match(info, {
        onNone: () => "symbolic-link",
        onSome: (found) => entryKinds[found.type] ?? "other"
      })
      entries.push({
        name,
        relativePath,
        absolutePath,
        kind,
        sizeBytes: Option.match(info, { onNone: () => 0, onSome: (found) => Number(found.size) }),
        modifiedAt: Option.match(info, {
          onNone: () => new Date(0),
          onSome: (found) => Option.getOrElse(found.mtime, () => new Date(0))
        })
      })
    }
    return entries
  })
