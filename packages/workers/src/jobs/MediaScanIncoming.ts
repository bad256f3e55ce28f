/**
 * `media.scan_incoming`: the sorter's look at an incoming folder. It reports every regular file
 * with its size and modification time and changes nothing. The orchestrator matches the files
 * to lectures, compares them with the previous scan and attaches those that stopped growing.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import {
  normalizeSourcePath,
  type IncomingFileEntry,
  type MediaScanIncomingInput,
  type MediaScanIncomingOutput,
  type SkippedEntry
} from "@videoag/domain"
import * as FolderListing from "../FolderListing.js"
import { JobFailure } from "../JobFailure.js"

/** Most files a scan reports; an incoming folder is a queue, not an archive. */
export const maxFiles = 10_000

/** Deepest folder level below the incoming folder that is scanned. */
const maxDepth = 8

export const run = (input: MediaScanIncomingInput) =>
  Effect.gen(function* () {
    const scannedAt = new Date(yield* Clock.currentTimeMillis)
    const folder = yield* FolderListing.resolveFolder(input.folder)
    const files: Array<IncomingFileEntry> = []
    const skipped: Array<SkippedEntry> = []

    const visit = (
      current: { readonly relativePath: string; readonly absolutePath: string },
      depth: number
    ): Effect.Effect<void, JobFailure, FolderListing.Requirements> =>
      Effect.gen(function* () {
        for (const entry of yield* FolderListing.list(current)) {
          // Hidden names are what copy tools (rsync, browsers) use for unfinished files.
          if (entry.name.startsWith(".")) continue
          const valid = normalizeSourcePath(entry.relativePath)
          if (Either.isLeft(valid)) {
            skipped.push({ path: entry.relativePath, reason: valid.left.message })
            continue
          }
          switch (entry.kind) {
            case "file":
              if (files.length >= maxFiles) {
                return yield* new JobFailure({
                  kind: "input",
                  code: "too_many_files",
                  message: `The folder ${JSON.stringify(folder.relativePath)} contains more than ${maxFiles} files; move processed recordings out of it`
                })
              }
              files.push({
                path: valid.right,
                sizeBytes: entry.sizeBytes,
                modifiedAt: entry.modifiedAt
              })
              break
            case "directory":
              if (depth >= maxDepth) {
                skipped.push({
                  path: entry.relativePath,
                  reason: `Folders more than ${maxDepth} levels deep are not scanned`
                })
              } else {
                yield* visit(entry, depth + 1)
              }
              break
            case "symbolic-link":
              skipped.push({
                path: entry.relativePath,
                reason: "Symbolic links are not followed; copy the recording itself"
              })
              break
            case "other":
              skipped.push({ path: entry.relativePath, reason: "Not a regular file" })
              break
          }
        }
      })

    if (folder.exists) {
      yield* visit(folder, 1)
    } else {
      yield* Effect.logInfo("The incoming folder does not exist; nothing to scan").pipe(
        Effect.annotateLogs({ folder: folder.relativePath })
      )
    }
    yield* Effect.logInfo("Scanned the incoming folder").pipe(
      Effect.annotateLogs({
        folder: folder.relativePath,
        files: files.length,
        skipped: skipped.length
      })
    )
    const output: MediaScanIncomingOutput = {
      folder: folder.relativePath,
      folderExists: folder.exists,
      scannedAt,
      files,
      skipped
    }
    return output
  }).pipe(Effect.withSpan("MediaScanIncoming.run"))
