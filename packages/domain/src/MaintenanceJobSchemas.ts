/**
 * Inputs and outputs of the periodic jobs: the sorter's scan of an incoming folder, and the
 * housekeeping jobs that list and delete published files. Workers only report what is on disk
 * and delete the files named in their input. The orchestrator compares the reports with the
 * database.
 */
import * as Schema from "effect/Schema"
import { RelativeMediaPath } from "./MediaPath.js"

/** An IANA time zone name such as `Europe/Berlin`. */
export const TimeZone = Schema.String.pipe(
  Schema.filter(
    (name) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: name })
        return true
      } catch {
        return false
      }
    },
    {
      message: (issue) =>
        `Expected an IANA time zone such as Europe/Berlin, got ${JSON.stringify(issue.actual)}`
    }
  )
)

export const MediaScanIncomingInput = Schema.Struct({
  /** Folder of the media root that receives raw recordings, scanned with its subfolders. */
  folder: RelativeMediaPath,
  /** Time zone of the dates and times in file names; the orchestrator uses it to match. */
  timeZone: Schema.optionalWith(TimeZone, { default: () => "Europe/Berlin" }),
  /** Largest distance between the time in a file name and a lecture's start. */
  toleranceMinutes: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 720)), {
    default: () => 30
  }),
  /**
   * Minimum age before a file counts as complete, on top of an unchanged size and modification
   * time since the previous scan. Either the modification time or the last change a scan saw
   * must be this old.
   */
  minimumAgeSeconds: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 86_400)), {
    default: () => 60
  })
})
export type MediaScanIncomingInput = typeof MediaScanIncomingInput.Type

export const IncomingFileEntry = Schema.Struct({
  path: RelativeMediaPath,
  sizeBytes: Schema.Int,
  modifiedAt: Schema.Date
})
export type IncomingFileEntry = typeof IncomingFileEntry.Type

export const SkippedEntry = Schema.Struct({
  path: Schema.String,
  reason: Schema.String
})
export type SkippedEntry = typeof SkippedEntry.Type

export const MediaScanIncomingOutput = Schema.Struct({
  folder: RelativeMediaPath,
  /** False when the folder does not exist; the orchestrator then changes nothing. */
  folderExists: Schema.Boolean,
  scannedAt: Schema.Date,
  /** Regular files, without hidden files (name starting with `.`), in path order. */
  files: Schema.Array(IncomingFileEntry),
  /** Entries left out, with the reason: symbolic links, special files, unusable names. */
  skipped: Schema.Array(SkippedEntry)
})
export type MediaScanIncomingOutput = typeof MediaScanIncomingOutput.Type

export const MediaListPublishedInput = Schema.Struct({
  /** Folders of the media root to list, with their subfolders. */
  folders: Schema.Array(RelativeMediaPath).pipe(Schema.minItems(1), Schema.maxItems(20))
})
export type MediaListPublishedInput = typeof MediaListPublishedInput.Type

/**
 * `file`: a regular file. `hls`: an HLS stream, reported as one entry named after its master
 * playlist, with the total size of the files in its folder.
 */
export const PublishedEntryKind = Schema.Literal("file", "hls")
export type PublishedEntryKind = typeof PublishedEntryKind.Type

export const PublishedEntry = Schema.Struct({
  path: RelativeMediaPath,
  kind: PublishedEntryKind,
  sizeBytes: Schema.Int,
  modifiedAt: Schema.Date,
  /** For `hls`: files named by its playlists that do not exist, relative to the master's folder. */
  missingFiles: Schema.Array(Schema.String)
})
export type PublishedEntry = typeof PublishedEntry.Type

export const MediaListPublishedOutput = Schema.Struct({
  scannedAt: Schema.Date,
  folders: Schema.Array(Schema.Struct({ folder: RelativeMediaPath, exists: Schema.Boolean })),
  entries: Schema.Array(PublishedEntry)
})
export type MediaListPublishedOutput = typeof MediaListPublishedOutput.Type

export const FileToDelete = Schema.Struct({
  path: RelativeMediaPath,
  kind: PublishedEntryKind,
  /** Size and modification time the listing reported; a file that changed since is kept. */
  sizeBytes: Schema.Int,
  modifiedAt: Schema.Date
})
export type FileToDelete = typeof FileToDelete.Type

export const MediaDeleteFilesInput = Schema.Struct({
  files: Schema.Array(FileToDelete).pipe(Schema.minItems(1), Schema.maxItems(10_000))
})
export type MediaDeleteFilesInput = typeof MediaDeleteFilesInput.Type

export const MediaDeleteFilesOutput = Schema.Struct({
  deleted: Schema.Array(RelativeMediaPath),
  /** Paths that no longer existed; nothing left to delete. */
  alreadyGone: Schema.Array(RelativeMediaPath),
  /** Paths kept, with the reason, e.g. a file that changed since it was listed. */
  kept: Schema.Array(SkippedEntry)
})
export type MediaDeleteFilesOutput = typeof MediaDeleteFilesOutput.Type
