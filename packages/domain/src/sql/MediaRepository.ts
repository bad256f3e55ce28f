/**
 * Published media files and thumbnails. The orchestrator records them when a transcode or
 * thumbnail job succeeds; the server lists the visible ones with their lectures. Housekeeping
 * reads the files each row promises, marks removed media whose files are gone as purged, and
 * keeps the report of published files that are missing or wrong.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { JobId, LectureId, MediumId, SourceFileId } from "../Ids.js"
import type { MediaThumbnailsOutput, TranscodedFile } from "../JobTypes.js"

/** `hls`: a stream recorded by its master playlist, whose size is that of its whole folder. */
export const hlsMimeType = "application/vnd.apple.mpegurl"

/** A published file that a live medium or thumbnail promises. */
export const PromisedFile = Schema.Struct({
  path: Schema.String,
  kind: Schema.Literal("file", "hls"),
  mediumId: Schema.NullOr(MediumId),
  thumbnailId: Schema.NullOr(Schema.Int),
  /** Recorded size; null where none was recorded (older thumbnails, WebVTT tracks). */
  sizeBytes: Schema.NullOr(Schema.Int)
})
export type PromisedFile = typeof PromisedFile.Type

/** A medium that was removed and whose files may still lie in the published folder. */
export const RemovedMedium = Schema.Struct({
  id: MediumId,
  path: Schema.String,
  mimeType: Schema.String
})
export type RemovedMedium = typeof RemovedMedium.Type

export const FileProblemKind = Schema.Literal(
  "missing",
  "size_mismatch",
  "incomplete",
  "unreferenced"
)
export type FileProblemKind = typeof FileProblemKind.Type

/** A published file housekeeping found missing or wrong, or a file no record names. */
export const FileProblem = Schema.Struct({
  path: Schema.String,
  kind: FileProblemKind,
  mediumId: Schema.NullOr(MediumId),
  thumbnailId: Schema.NullOr(Schema.Int),
  expectedSizeBytes: Schema.NullOr(Schema.Int),
  actualSizeBytes: Schema.NullOr(Schema.Int),
  message: Schema.String
})
export type FileProblem = typeof FileProblem.Type

export const FileProblemRecord = Schema.Struct({
  ...FileProblem.fields,
  jobId: Schema.NullOr(JobId),
  firstSeenAt: Schema.DateFromSelf,
  lastSeenAt: Schema.DateFromSelf
})
export type FileProblemRecord = typeof FileProblemRecord.Type

export const MediumRecord = Schema.Struct({
  id: MediumId,
  lectureId: LectureId,
  sourceFileId: Schema.NullOr(SourceFileId),
  profile: Schema.String,
  path: Schema.String,
  mimeType: Schema.String,
  sizeBytes: Schema.Int,
  durationSeconds: Schema.NullOr(Schema.Number),
  width: Schema.NullOr(Schema.Int),
  height: Schema.NullOr(Schema.Int),
  bitrate: Schema.NullOr(Schema.Int),
  visible: Schema.Boolean
})
export type MediumRecord = typeof MediumRecord.Type

const decodeRecords = Schema.decodeUnknown(Schema.Array(MediumRecord))

export const ThumbnailRecord = Schema.Struct({
  id: Schema.Int,
  lectureId: LectureId,
  kind: Schema.Literal("poster", "storyboard"),
  path: Schema.String,
  trackPath: Schema.NullOr(Schema.String),
  width: Schema.NullOr(Schema.Int),
  height: Schema.NullOr(Schema.Int)
})
export type ThumbnailRecord = typeof ThumbnailRecord.Type

const decodeThumbnails = Schema.decodeUnknown(Schema.Array(ThumbnailRecord))

const columns =
  "id, lecture_id, source_file_id, profile, path, mime_type, size_bytes, duration_seconds, width, height, bitrate, visible"

export class MediaRepository extends Effect.Service<MediaRepository>()(
  "@videoag/domain/MediaRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient

      /**
       * Records the files of a finished transcode as visible media of the lecture. A repeated
       * call with the same paths updates the rows instead of duplicating them.
       */
      const recordTranscode = (
        lectureId: LectureId,
        sourceFileId: SourceFileId,
        files: ReadonlyArray<TranscodedFile>
      ) =>
        Effect.forEach(
          files,
          (file) => sql`
            INSERT INTO media (lecture_id, source_file_id, profile, path, mime_type, size_bytes,
                               duration_seconds, width, height, bitrate)
            VALUES (${lectureId}, ${sourceFileId}, ${file.profile}, ${file.path}, ${file.mimeType},
                    ${file.sizeBytes}, ${file.durationSeconds}, ${file.width}, ${file.height},
                    ${file.bitRate})
            ON CONFLICT (path) DO UPDATE
              SET lecture_id = excluded.lecture_id, source_file_id = excluded.source_file_id,
                  profile = excluded.profile, mime_type = excluded.mime_type,
                  size_bytes = excluded.size_bytes, duration_seconds = excluded.duration_seconds,
                  width = excluded.width, height = excluded.height, bitrate = excluded.bitrate,
                  deleted_at = NULL, purged_at = NULL, updated_at = now()
          `,
          { discard: true }
        ).pipe(sql.withTransaction, Effect.withSpan("MediaRepository.recordTranscode"))

      /** Visible, not deleted media of the given lectures, ordered by lecture and height. */
      const listVisibleForLectures = (lectureIds: ReadonlyArray<LectureId>) =>
        lectureIds.length === 0
          ? Effect.succeed([])
          : Effect.flatMap(
              sql`
                SELECT ${sql.literal(columns)} FROM media
                WHERE lecture_id IN ${sql.in(lectureIds)} AND visible AND deleted_at IS NULL
                ORDER BY lecture_id, height DESC NULLS LAST, profile
              `,
              (rows) => Effect.orDie(decodeRecords(rows))
            ).pipe(Effect.withSpan("MediaRepository.listVisibleForLectures"))

      /** Media of the given lectures that are not deleted, hidden ones included. */
      const listForLectures = (lectureIds: ReadonlyArray<LectureId>) =>
        lectureIds.length === 0
          ? Effect.succeed([])
          : Effect.flatMap(
              sql`
                SELECT ${sql.literal(columns)} FROM media
                WHERE lecture_id IN ${sql.in(lectureIds)} AND deleted_at IS NULL
                ORDER BY lecture_id, height DESC NULLS LAST, profile
              `,
              (rows) => Effect.orDie(decodeRecords(rows))
            ).pipe(Effect.withSpan("MediaRepository.listForLectures"))

      /** The newest poster and storyboard of each of the given lectures. */
      const listThumbnailsForLectures = (lectureIds: ReadonlyArray<LectureId>) =>
        lectureIds.length === 0
          ? Effect.succeed([])
          : Effect.flatMap(
              sql`
                SELECT DISTINCT ON (lecture_id, kind)
                       id, lecture_id, kind, path, track_path, width, height
                FROM thumbnails
                WHERE lecture_id IN ${sql.in(lectureIds)}
                ORDER BY lecture_id, kind, id DESC
              `,
              (rows) => Effect.orDie(decodeThumbnails(rows))
            ).pipe(Effect.withSpan("MediaRepository.listThumbnailsForLectures"))

      const findById = (id: MediumId) =>
        Effect.flatMap(
          sql`SELECT ${sql.literal(columns)} FROM media WHERE id = ${id} AND deleted_at IS NULL`,
          (rows) => Effect.orDie(decodeRecords(rows))
        ).pipe(
          Effect.map((records) => records[0]),
          Effect.withSpan("MediaRepository.findById")
        )

      /**
       * Records the poster and the storyboard of a source file's lecture. A repeated call with
       * the same paths updates the rows instead of duplicating them.
       */
      const recordThumbnails = (
        lectureId: LectureId,
        sourceFileId: SourceFileId,
        thumbnails: MediaThumbnailsOutput
      ) =>
        Effect.zipRight(
          sql`
            INSERT INTO thumbnails (lecture_id, source_file_id, kind, path, width, height, size_bytes)
            VALUES (${lectureId}, ${sourceFileId}, 'poster', ${thumbnails.poster.path},
                    ${thumbnails.poster.width}, ${thumbnails.poster.height}, ${thumbnails.poster.sizeBytes})
            ON CONFLICT (path) DO UPDATE
              SET lecture_id = excluded.lecture_id, source_file_id = excluded.source_file_id,
                  width = excluded.width, height = excluded.height,
                  size_bytes = excluded.size_bytes, updated_at = now()
          `,
          sql`
            INSERT INTO thumbnails (lecture_id, source_file_id, kind, path, track_path, width, height,
                                    size_bytes)
            VALUES (${lectureId}, ${sourceFileId}, 'storyboard', ${thumbnails.storyboard.sprite.path},
                    ${thumbnails.storyboard.trackPath}, ${thumbnails.storyboard.sprite.width},
                    ${thumbnails.storyboard.sprite.height}, ${thumbnails.storyboard.sprite.sizeBytes})
            ON CONFLICT (path) DO UPDATE
              SET lecture_id = excluded.lecture_id, source_file_id = excluded.source_file_id,
                  track_path = excluded.track_path, width = excluded.width,
                  height = excluded.height, size_bytes = excluded.size_bytes, updated_at = now()
          `
        ).pipe(
          Effect.asVoid,
          sql.withTransaction,
          Effect.withSpan("MediaRepository.recordThumbnails")
        )

      const inFolders = (column: string, folders: ReadonlyArray<string>) =>
        sql.or(
          folders.map((folder) => sql`left(${sql(column)}, ${folder.length + 1}) = ${`${folder}/`}`)
        )

      /**
       * Files that live media and thumbnails below `folders` promise: each medium's file (an
       * HLS medium's master playlist), each poster and sprite, and each storyboard track.
       */
      const listPromisedFiles = (folders: ReadonlyArray<string>) =>
        Effect.flatMap(
          sql`
            SELECT path, CASE WHEN mime_type = ${hlsMimeType} THEN 'hls' ELSE 'file' END AS kind,
                   id AS medium_id, NULL::bigint AS thumbnail_id, size_bytes
            FROM media WHERE deleted_at IS NULL AND ${inFolders("path", folders)}
            UNION ALL
            SELECT path, 'file', NULL, id, size_bytes
            FROM thumbnails WHERE ${inFolders("path", folders)}
            UNION ALL
            SELECT track_path, 'file', NULL, id, NULL
            FROM thumbnails WHERE track_path IS NOT NULL AND ${inFolders("track_path", folders)}
            ORDER BY 1
          `,
          (rows) => Effect.orDie(Schema.decodeUnknown(Schema.Array(PromisedFile))(rows))
        ).pipe(Effect.withSpan("MediaRepository.listPromisedFiles"))

      /** Removed media below `folders` whose files have not been deleted yet. */
      const listRemoved = (folders: ReadonlyArray<string>) =>
        Effect.flatMap(
          sql`
            SELECT id, path, mime_type FROM media
            WHERE deleted_at IS NOT NULL AND purged_at IS NULL AND ${inFolders("path", folders)}
            ORDER BY path
          `,
          (rows) => Effect.orDie(Schema.decodeUnknown(Schema.Array(RemovedMedium))(rows))
        ).pipe(Effect.withSpan("MediaRepository.listRemoved"))

      /** Marks removed media at `paths` as purged: their files are gone. Returns how many. */
      const markPurged = (paths: ReadonlyArray<string>) =>
        paths.length === 0
          ? Effect.succeed(0)
          : Effect.map(
              sql`
                UPDATE media SET purged_at = now(), updated_at = now()
                WHERE path IN ${sql.in(paths)} AND deleted_at IS NOT NULL AND purged_at IS NULL
                RETURNING id
              `,
              (rows) => rows.length
            ).pipe(Effect.withSpan("MediaRepository.markPurged"))

      /**
       * Replaces the problems below `folders` with those of the latest check. A problem seen
       * before keeps its first sighting.
       */
      const replaceFileProblems = (
        folders: ReadonlyArray<string>,
        problems: ReadonlyArray<FileProblem>,
        jobId: JobId | null
      ) =>
        Effect.gen(function* () {
          const paths = problems.map((problem) => problem.path)
          yield* sql`
            DELETE FROM published_file_problems
            WHERE ${inFolders("path", folders)}
              ${paths.length > 0 ? sql`AND path NOT IN ${sql.in(paths)}` : sql``}
          `
          for (const problem of problems) {
            yield* sql`
              INSERT INTO published_file_problems (path, kind, medium_id, thumbnail_id,
                expected_size_bytes, actual_size_bytes, message, job_id)
              VALUES (${problem.path}, ${problem.kind}, ${problem.mediumId}, ${problem.thumbnailId},
                      ${problem.expectedSizeBytes}, ${problem.actualSizeBytes}, ${problem.message},
                      ${jobId})
              ON CONFLICT (path) DO UPDATE
                SET kind = excluded.kind, medium_id = excluded.medium_id,
                    thumbnail_id = excluded.thumbnail_id,
                    expected_size_bytes = excluded.expected_size_bytes,
                    actual_size_bytes = excluded.actual_size_bytes, message = excluded.message,
                    job_id = excluded.job_id, last_seen_at = now(),
                    first_seen_at = CASE WHEN published_file_problems.kind = excluded.kind
                                         THEN published_file_problems.first_seen_at ELSE now() END
            `
          }
        }).pipe(sql.withTransaction, Effect.withSpan("MediaRepository.replaceFileProblems"))

      /** The latest housekeeping report: every known problem with a published file, by path. */
      const listFileProblems = Effect.flatMap(
        sql`
          SELECT path, kind, medium_id, thumbnail_id, expected_size_bytes, actual_size_bytes,
                 message, job_id, first_seen_at, last_seen_at
          FROM published_file_problems ORDER BY path
        `,
        (rows) => Effect.orDie(Schema.decodeUnknown(Schema.Array(FileProblemRecord))(rows))
      ).pipe(Effect.withSpan("MediaRepository.listFileProblems"))

      return {
        recordTranscode,
        listVisibleForLectures,
        listForLectures,
        listThumbnailsForLectures,
        findById,
        recordThumbnails,
        listPromisedFiles,
        listRemoved,
        markPurged,
        replaceFileProblems,
        listFileProblems
      } as const
    })
  }
) {}
