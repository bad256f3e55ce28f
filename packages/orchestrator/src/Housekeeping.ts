/**
 * Housekeeping's follow-ups. After a listing of the published folders it compares what lies on
 * disk with what the database promises. A live medium or thumbnail is reported when its file is
 * missing, has another size than recorded, or (an HLS stream) misses segments. A file that no
 * record names is reported as unreferenced and left alone. Removed media without files are
 * marked purged at once. The files of the other removed media are deleted by a
 * `media.delete_files` job, whose follow-up marks those media purged.
 */
import * as Effect from "effect/Effect"
import {
  MediaDeleteFiles,
  type FileToDelete,
  type MediaDeleteFilesOutput,
  type MediaListPublishedInput,
  type MediaListPublishedOutput,
  type PublishedEntry
} from "@videoag/domain"
import {
  JobRepository,
  MediaRepository,
  type FileProblem,
  type JobRecord,
  type PromisedFile
} from "@videoag/domain/sql"

/** Findings of one check, for the log and for tests. */
export interface CheckSummary {
  readonly problems: ReadonlyArray<FileProblem>
  /** Files of removed media handed to a deletion job. */
  readonly toDelete: ReadonlyArray<string>
  /** Removed media whose files were already gone, now marked purged. */
  readonly purged: number
}

const problemOf = (
  promised: PromisedFile,
  entry: PublishedEntry | undefined
): FileProblem | null => {
  const base = {
    path: promised.path,
    mediumId: promised.mediumId,
    thumbnailId: promised.thumbnailId,
    expectedSizeBytes: promised.sizeBytes
  }
  if (entry === undefined) {
    return {
      ...base,
      kind: "missing",
      actualSizeBytes: null,
      message: `The published file ${promised.path} does not exist; process its source file again`
    }
  }
  if (entry.missingFiles.length > 0) {
    return {
      ...base,
      kind: "incomplete",
      actualSizeBytes: entry.sizeBytes,
      message: `The HLS stream ${promised.path} misses ${entry.missingFiles.length} of its files (${entry.missingFiles.slice(0, 3).join(", ")}); process its source file again`
    }
  }
  if (promised.sizeBytes !== null && promised.sizeBytes !== entry.sizeBytes) {
    return {
      ...base,
      kind: "size_mismatch",
      actualSizeBytes: entry.sizeBytes,
      message: `The published file ${promised.path} has ${entry.sizeBytes} bytes, but ${promised.sizeBytes} were recorded; it was changed or damaged after publishing`
    }
  }
  return null
}

export class Housekeeping extends Effect.Service<Housekeeping>()(
  "@videoag/orchestrator/Housekeeping",
  {
    effect: Effect.gen(function* () {
      const jobs = yield* JobRepository
      const media = yield* MediaRepository

      /** Runs in the transaction that stores the listing's outcome. */
      const onListed = (
        job: JobRecord,
        input: MediaListPublishedInput,
        listing: MediaListPublishedOutput
      ) =>
        Effect.gen(function* () {
          const folders = input.folders
          const entries = new Map(listing.entries.map((entry) => [entry.path, entry]))
          const referenced = new Set<string>()
          const problems: Array<FileProblem> = []

          for (const promised of yield* media.listPromisedFiles(folders)) {
            referenced.add(promised.path)
            const problem = problemOf(promised, entries.get(promised.path))
            if (problem !== null) problems.push(problem)
          }

          const toDelete: Array<FileToDelete> = []
          const withoutFiles: Array<string> = []
          for (const removed of yield* media.listRemoved(folders)) {
            referenced.add(removed.path)
            const entry = entries.get(removed.path)
            if (entry === undefined) {
              withoutFiles.push(removed.path)
            } else {
              toDelete.push({
                path: entry.path,
                kind: entry.kind,
                sizeBytes: entry.sizeBytes,
                modifiedAt: entry.modifiedAt
              })
            }
          }

          for (const entry of listing.entries) {
            if (referenced.has(entry.path)) continue
            problems.push({
              path: entry.path,
              kind: "unreferenced",
              mediumId: null,
              thumbnailId: null,
              expectedSizeBytes: null,
              actualSizeBytes: entry.sizeBytes,
              message: `The file ${entry.path} is published, but no medium or thumbnail names it; it is left in place`
            })
          }

          yield* media.replaceFileProblems(folders, problems, job.id)
          const purged = yield* media.markPurged(withoutFiles)
          if (toDelete.length > 0) {
            const deletion = yield* jobs.enqueue({
              type: MediaDeleteFiles,
              input: { files: toDelete },
              dedupKey: `${MediaDeleteFiles.name}:after-job-${job.id}`
            })
            yield* Effect.logInfo("Enqueued the deletion of removed media files").pipe(
              Effect.annotateLogs({ files: toDelete.length, deletionJobId: deletion.id })
            )
          }
          const counts = {
            missing: problems.filter((problem) => problem.kind === "missing").length,
            sizeMismatch: problems.filter((problem) => problem.kind === "size_mismatch").length,
            incomplete: problems.filter((problem) => problem.kind === "incomplete").length,
            unreferenced: problems.filter((problem) => problem.kind === "unreferenced").length,
            purged
          }
          const broken = counts.missing + counts.sizeMismatch + counts.incomplete
          yield* (broken > 0 ? Effect.logWarning : Effect.logInfo)(
            broken > 0
              ? "Published files are missing or damaged; see the housekeeping report"
              : "Published files match their records"
          ).pipe(Effect.annotateLogs(counts))
          const summary: CheckSummary = {
            problems,
            toDelete: toDelete.map((file) => file.path),
            purged
          }
          return summary
        }).pipe(Effect.withSpan("Housekeeping.onListed"))

      /** Marks the media whose files the deletion removed, or found gone, as purged. */
      const onDeleted = (output: MediaDeleteFilesOutput) =>
        Effect.gen(function* () {
          const purged = yield* media.markPurged([...output.deleted, ...output.alreadyGone])
          yield* Effect.logInfo("Deleted the files of removed media").pipe(
            Effect.annotateLogs({ purged, kept: output.kept.length })
          )
          for (const kept of output.kept.slice(0, 5)) {
            yield* Effect.logWarning("Kept a file of a removed medium").pipe(
              Effect.annotateLogs({ path: kept.path, reason: kept.reason })
            )
          }
          return purged
        }).pipe(Effect.withSpan("Housekeeping.onDeleted"))

      return { onListed, onDeleted } as const
    }),
    dependencies: [JobRepository.Default, MediaRepository.Default]
  }
) {}
