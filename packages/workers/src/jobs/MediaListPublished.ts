/**
 * `media.list_published`: housekeeping's inventory of published folders. It reports each file
 * with its size and modification time, and each HLS stream (a folder with a `master.m3u8`) as
 * one entry with the total size of its folder and the files its playlists name but that are
 * missing. The orchestrator compares the inventory with its records.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type {
  MediaListPublishedInput,
  MediaListPublishedOutput,
  PublishedEntry
} from "@videoag/domain"
import * as FolderListing from "../FolderListing.js"
import * as Hls from "../Hls.js"
import type { JobFailure } from "../JobFailure.js"
import { masterPlaylistName } from "../TranscodePlan.js"

const maxDepth = 16

export const run = (input: MediaListPublishedInput) =>
  Effect.gen(function* () {
    const scannedAt = new Date(yield* Clock.currentTimeMillis)
    const entries: Array<PublishedEntry> = []
    const folders: Array<{ folder: string; exists: boolean }> = []

    const describeHls = (
      folder: { readonly relativePath: string; readonly absolutePath: string },
      contents: ReadonlyArray<FolderListing.FolderEntry>
    ) =>
      Effect.gen(function* () {
        const master = contents.find((entry) => entry.name === masterPlaylistName)
        const stream = yield* Hls.readPackage(folder.absolutePath, masterPlaylistName)
        const entry: PublishedEntry = {
          path: `${folder.relativePath}/${masterPlaylistName}`,
          kind: "hls",
          sizeBytes: contents
            .filter((candidate) => candidate.kind === "file")
            .reduce((sum, file) => sum + file.sizeBytes, 0),
          modifiedAt: master?.modifiedAt ?? new Date(0),
          missingFiles: stream.missing
        }
        return entry
      })

    const visit = (
      folder: { readonly relativePath: string; readonly absolutePath: string },
      depth: number
    ): Effect.Effect<void, JobFailure, FolderListing.Requirements> =>
      Effect.gen(function* () {
        const contents = yield* FolderListing.list(folder)
        if (contents.some((entry) => entry.name === masterPlaylistName && entry.kind === "file")) {
          entries.push(yield* describeHls(folder, contents))
          return
        }
        for (const entry of contents) {
          if (entry.kind === "file") {
            entries.push({
              path: entry.relativePath,
              kind: "file",
              sizeBytes: entry.sizeBytes,
              modifiedAt: entry.modifiedAt,
              missingFiles: []
            })
          } else if (entry.kind === "directory" && depth < maxDepth) {
            yield* visit(entry, depth + 1)
          } else {
            yield* Effect.logWarning("Left an entry of a published folder out").pipe(
              Effect.annotateLogs({ path: entry.relativePath, kind: entry.kind, depth })
            )
          }
        }
      })

    for (const requested of input.folders) {
      const folder = yield* FolderListing.resolveFolder(requested)
      folders.push({ folder: folder.relativePath, exists: folder.exists })
      if (folder.exists) yield* visit(folder, 1)
    }
    yield* Effect.logInfo("Listed published files").pipe(
      Effect.annotateLogs({ folders: input.folders.join(", "), entries: entries.length })
    )
    const output: MediaListPublishedOutput = { scannedAt, folders, entries }
    return output
  }).pipe(Effect.withSpan("MediaListPublished.run"))
