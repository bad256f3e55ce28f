/**
 * The sorter's follow-up to a scan of the incoming folder. It compares each file with what the
 * previous scan saw (stored in `incoming_files`). A new or changed file waits for the next scan.
 * A file is complete when its size and modification time stayed the same and its modification
 * time is old enough. A complete file is matched to a lecture by its name (see
 * `FileNameConvention`) and attached, which enqueues its probe. A file that matches no lecture,
 * or matches a lecture that already has a recording, is kept as an unassigned source file with
 * the reason, for moderators to assign by hand. Each file gets one source file, so it is
 * attached at most once, and an unassigned one is matched again on every scan. Files that
 * disappeared are forgotten, and their unassigned source files removed.
 */
import type { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  LectureId,
  MediaProbe,
  SourceFileId,
  type IncomingFileEntry,
  type MediaScanIncomingInput,
  type MediaScanIncomingOutput,
  type UnmatchedReason
} from "@videoag/domain"
import { JobRepository, SourceFileRepository, type JobRecord } from "@videoag/domain/sql"
import * as FileNameConvention from "./FileNameConvention.js"

/** Advisory lock key of the sorter: "VAGS" as a 32-bit integer. */
const sorterLockKey = 0x56414753

const IncomingRow = Schema.Struct({
  path: Schema.String,
  sizeBytes: Schema.Int,
  modifiedAt: Schema.DateFromSelf,
  lastSeenAt: Schema.DateFromSelf,
  changedAt: Schema.DateFromSelf,
  sourceFileId: Schema.NullOr(SourceFileId),
  lectureId: Schema.NullOr(LectureId),
  state: Schema.NullOr(Schema.String)
})
type IncomingRow = typeof IncomingRow.Type

const Candidate = Schema.Struct({
  id: LectureId,
  startTime: Schema.DateFromSelf,
  distanceSeconds: Schema.Number
})

const ExistingSource = Schema.Struct({ path: Schema.String })

type Match =
  | { readonly _tag: "Matched"; readonly lectureId: LectureId }
  | { readonly _tag: "Unmatched"; readonly reason: UnmatchedReason; readonly message: string }

const matched = (lectureId: LectureId): Match => ({ _tag: "Matched", lectureId })

const unmatched = (reason: UnmatchedReason, message: string): Match => ({
  _tag: "Unmatched",
  reason,
  message
})

/** Changes made by one scan, by path, for the log and for tests. */
export interface SortingSummary {
  readonly attached: ReadonlyArray<string>
  readonly unmatched: ReadonlyArray<string>
  readonly waiting: ReadonlyArray<string>
  readonly forgotten: ReadonlyArray<string>
}

const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1)

export class Sorter extends Effect.Service<Sorter>()("@videoag/orchestrator/Sorter", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const jobs = yield* JobRepository
    const sourceFiles = yield* SourceFileRepository

    const decode =
      <A, I>(schema: Schema.Schema<A, I>) =>
      (rows: ReadonlyArray<unknown>) =>
        Effect.orDie(Schema.decodeUnknown(Schema.Array(schema))(rows))

    /** Finds the lecture a file name points to, or the reason there is none. */
    const match = (path: string, input: MediaScanIncomingInput): Effect.Effect<Match, SqlError> =>
      Effect.gen(function* () {
        const fileName = baseName(path)
        const parsed = FileNameConvention.parse(fileName)
        if (Either.isLeft(parsed)) {
          return unmatched(parsed.left.reason, parsed.left.message)
        }
        const name = parsed.right
        const instant = FileNameConvention.instantOf(name, input.timeZone)
        const tolerance = input.toleranceMinutes * 60
        const candidates = yield* Effect.flatMap(
          sql`
            SELECT l.id, l.start_time,
                   abs(extract(epoch FROM l.start_time - ${instant}))::float8 AS distance_seconds
            FROM lectures l JOIN courses c ON c.id = l.course_id
            WHERE c.handle = ${name.courseHandle} AND c.deleted_at IS NULL AND l.deleted_at IS NULL
              AND l.start_time BETWEEN ${new Date(instant.getTime() - tolerance * 1000)}
                                   AND ${new Date(instant.getTime() + tolerance * 1000)}
            ORDER BY distance_seconds, l.id
            LIMIT 2
          `,
          decode(Candidate)
        )
        const local = FileNameConvention.formatLocal(instant, input.timeZone)
        const [best, second] = candidates
        if (best === undefined) {
          const course = yield* sql`
            SELECT 1 FROM courses WHERE handle = ${name.courseHandle} AND deleted_at IS NULL
          `
          if (course.length === 0) {
            return unmatched(
              "course_not_found",
              `No course has the handle ${JSON.stringify(name.courseHandle)} from ${JSON.stringify(fileName)}; rename the file or assign it by hand`
            )
          }
          return unmatched(
            "no_lecture_near_time",
            `The course ${name.courseHandle} has no lecture starting within ${input.toleranceMinutes} minutes of ${local} (${input.timeZone}); add the lecture or assign the file by hand`
          )
        }
        if (second !== undefined && second.distanceSeconds === best.distanceSeconds) {
          return unmatched(
            "ambiguous_lecture",
            `The lectures ${best.id} and ${second.id} of ${name.courseHandle} start equally close to ${local}; assign the file by hand`
          )
        }
        const existing = yield* Effect.flatMap(
          sql`
            SELECT path FROM source_files
            WHERE lecture_id = ${best.id} AND state <> 'failed' AND path <> ${path}
            ORDER BY id LIMIT 1
          `,
          decode(ExistingSource)
        )
        if (existing[0] !== undefined) {
          return unmatched(
            "lecture_has_source_file",
            `The lecture ${best.id} of ${name.courseHandle} at ${local} already has the recording ${JSON.stringify(existing[0].path)}; if this file is a second part or a better copy, assign it by hand`
          )
        }
        return matched(best.id)
      })

    /** Records a complete file as a source file: attached when it matches, else unassigned. */
    const record = (file: IncomingFileEntry, input: MediaScanIncomingInput) =>
      Effect.gen(function* () {
        const outcome = yield* match(file.path, input)
        if (outcome._tag === "Matched") {
          const recorded = yield* sourceFiles.recordOrReset({
            path: file.path,
            lectureId: outcome.lectureId,
            sizeBytes: file.sizeBytes,
            modifiedAt: file.modifiedAt,
            origin: "sorter"
          })
          if (Option.isSome(recorded)) {
            yield* jobs.enqueue({
              type: MediaProbe,
              input: { sourcePath: file.path },
              sourceFileId: recorded.value.id
            })
            return { sourceFileId: recorded.value.id, attached: true }
          }
        } else {
          const recorded = yield* sourceFiles.recordUnmatched({
            path: file.path,
            sizeBytes: file.sizeBytes,
            modifiedAt: file.modifiedAt,
            reason: outcome.reason,
            message: outcome.message
          })
          if (Option.isSome(recorded)) {
            return { sourceFileId: recorded.value.id, attached: false }
          }
        }
        // The path was recorded another way, e.g. a moderator attached it by hand.
        const existing = yield* sourceFiles.findByPath(file.path)
        return {
          sourceFileId: Option.getOrNull(Option.map(existing, (found) => found.id)),
          attached: false
        }
      })

    /** Matches an unassigned source file again; a lecture added since can now take it. */
    const rematch = (sourceFileId: SourceFileId, path: string, input: MediaScanIncomingInput) =>
      Effect.gen(function* () {
        const outcome = yield* match(path, input)
        if (outcome._tag === "Unmatched") {
          yield* sourceFiles.updateUnmatched(sourceFileId, outcome)
          return false
        }
        const assigned = yield* sourceFiles.assign(sourceFileId, outcome.lectureId, null)
        return Option.isSome(assigned)
      })

    /**
     * Runs in the transaction that stores the scan's outcome. A scan older than the newest one
     * already sorted changes nothing, so a retried scan cannot undo a newer one.
     */
    const onScanned = (
      job: JobRecord,
      input: MediaScanIncomingInput,
      scan: MediaScanIncomingOutput
    ) =>
      Effect.gen(function* () {
        const summary = {
          attached: [] as Array<string>,
          unmatched: [] as Array<string>,
          waiting: [] as Array<string>,
          forgotten: [] as Array<string>
        }
        yield* sql`SELECT pg_advisory_xact_lock(${sorterLockKey})`
        const previousScan = yield* sql<{ lastScannedAt: Date }>`
          SELECT last_scanned_at FROM incoming_scans WHERE folder = ${scan.folder} FOR UPDATE
        `
        if (!scan.folderExists) {
          // A folder that was never there means the sorter is not used. One that vanished may
          // be an unmounted volume, so nothing is forgotten until it is back.
          const message =
            "The incoming folder does not exist; create it in the media root to use the sorter"
          yield* (previousScan.length > 0 ? Effect.logWarning : Effect.logInfo)(message).pipe(
            Effect.annotateLogs({ folder: scan.folder })
          )
          return summary satisfies SortingSummary
        }
        const previous = previousScan[0]?.lastScannedAt
        if (previous !== undefined && previous.getTime() >= scan.scannedAt.getTime()) {
          yield* Effect.logInfo("Ignored a scan older than the last one sorted").pipe(
            Effect.annotateLogs({ folder: scan.folder, scannedAt: scan.scannedAt.toISOString() })
          )
          return summary satisfies SortingSummary
        }
        yield* sql`
          INSERT INTO incoming_scans (folder, last_scanned_at, last_job_id)
          VALUES (${scan.folder}, ${scan.scannedAt}, ${job.id})
          ON CONFLICT (folder) DO UPDATE
            SET last_scanned_at = excluded.last_scanned_at, last_job_id = excluded.last_job_id,
                updated_at = now()
        `
        const known = new Map<string, IncomingRow>()
        const rows = yield* Effect.flatMap(
          sql`
            SELECT i.path, i.size_bytes, i.modified_at, i.last_seen_at, i.changed_at, i.source_file_id,
                   s.lecture_id, s.state
            FROM incoming_files i LEFT JOIN source_files s ON s.id = i.source_file_id
            WHERE i.folder = ${scan.folder}
          `,
          decode(IncomingRow)
        )
        for (const row of rows) known.set(row.path, row)

        const settledBefore = scan.scannedAt.getTime() - input.minimumAgeSeconds * 1000
        for (const file of scan.files) {
          const seen = known.get(file.path)
          known.delete(file.path)
          if (seen === undefined) {
            yield* sql`
              INSERT INTO incoming_files (path, folder, size_bytes, modified_at, first_seen_at,
                                          last_seen_at, changed_at)
              VALUES (${file.path}, ${scan.folder}, ${file.sizeBytes}, ${file.modifiedAt},
                      ${scan.scannedAt}, ${scan.scannedAt}, ${scan.scannedAt})
              ON CONFLICT (path) DO NOTHING
            `
            summary.waiting.push(file.path)
            continue
          }
          const unchanged =
            seen.sizeBytes === file.sizeBytes &&
            seen.modifiedAt.getTime() === file.modifiedAt.getTime()
          yield* sql`
            UPDATE incoming_files
            SET size_bytes = ${file.sizeBytes}, modified_at = ${file.modifiedAt},
                last_seen_at = ${scan.scannedAt},
                changed_at = ${unchanged ? sql`changed_at` : scan.scannedAt}
            WHERE path = ${file.path}
          `
          if (seen.sourceFileId !== null) {
            const unassigned = seen.lectureId === null && seen.state === "pending"
            if (!unchanged && unassigned) {
              yield* sql`
                UPDATE source_files
                SET size_bytes = ${file.sizeBytes}, modified_at = ${file.modifiedAt}, updated_at = now()
                WHERE id = ${seen.sourceFileId}
              `
            } else if (!unchanged) {
              yield* Effect.logWarning(
                "An attached file of the incoming folder changed; it is not attached again"
              ).pipe(Effect.annotateLogs({ path: file.path, sourceFileId: seen.sourceFileId }))
            }
            if (unassigned) {
              const attached = yield* rematch(seen.sourceFileId, file.path, input)
              ;(attached ? summary.attached : summary.unmatched).push(file.path)
            }
            continue
          }
          // A modification time in the future (a camera's clock, a copy that kept it) never gets
          // old, so a file also counts as complete once it stayed the same for the minimum age.
          const settled =
            file.modifiedAt.getTime() <= settledBefore || seen.changedAt.getTime() <= settledBefore
          if (!unchanged || !settled) {
            summary.waiting.push(file.path)
            continue
          }
          const recorded = yield* record(file, input)
          yield* sql`
            UPDATE incoming_files SET source_file_id = ${recorded.sourceFileId}
            WHERE path = ${file.path}
          `
          ;(recorded.attached ? summary.attached : summary.unmatched).push(file.path)
        }

        const vanished = [...known.values()]
        if (vanished.length > 0) {
          const paths = vanished.map((row) => row.path)
          yield* sql`DELETE FROM incoming_files WHERE path IN ${sql.in(paths)}`
          yield* sql`
            DELETE FROM source_files s
            WHERE s.path IN ${sql.in(paths)} AND s.origin = 'sorter' AND s.lecture_id IS NULL
              AND s.state = 'pending' AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.source_file_id = s.id)
          `
          summary.forgotten.push(...paths)
        }
        yield* Effect.logInfo("Sorted the incoming folder").pipe(
          Effect.annotateLogs({
            folder: scan.folder,
            attached: summary.attached.length,
            unmatched: summary.unmatched.length,
            waiting: summary.waiting.length,
            forgotten: summary.forgotten.length
          })
        )
        if (scan.skipped.length > 0) {
          yield* Effect.logWarning("The scan left entries of the incoming folder out").pipe(
            Effect.annotateLogs({
              count: scan.skipped.length,
              first: scan.skipped
                .slice(0, 5)
                .map((entry) => `${entry.path}: ${entry.reason}`)
                .join("; ")
            })
          )
        }
        return summary satisfies SortingSummary
      }).pipe(Effect.withSpan("Sorter.onScanned"))

    return { onScanned, match } as const
  }),
  dependencies: [JobRepository.Default, SourceFileRepository.Default]
}) {}
