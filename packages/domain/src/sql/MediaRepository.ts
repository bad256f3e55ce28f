/**
 * Published media files. The orchestrator records them when a transcode succeeds; the server
 * lists the visible ones with their lectures.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { LectureId, MediumId, SourceFileId } from "../Ids.js"
import type { TranscodedFile } from "../JobTypes.js"

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
                  deleted_at = NULL, updated_at = now()
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

      const findById = (id: MediumId) =>
        Effect.flatMap(
          sql`SELECT ${sql.literal(columns)} FROM media WHERE id = ${id} AND deleted_at IS NULL`,
          (rows) => Effect.orDie(decodeRecords(rows))
        ).pipe(
          Effect.map((records) => records[0]),
          Effect.withSpan("MediaRepository.findById")
        )

      return { recordTranscode, listVisibleForLectures, listForLectures, findById } as const
    })
  }
) {}
