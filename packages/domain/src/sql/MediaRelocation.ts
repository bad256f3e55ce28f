/**
 * Keeps published files in the folder their lecture's access demands. The file provider has no
 * database: it serves `published/public/` to everyone and `published/protected/` only with a
 * signed link. A medium belongs in the public folder exactly when it, its lecture and its course
 * are visible and not deleted and the lecture's effective access rule is `public`; thumbnails
 * follow their lecture. When a write changes that, the server enqueues a `media.relocate` job in
 * the same transaction; when the job succeeds the orchestrator stores the new paths and checks
 * again, so changes that overtake a running job still end in the right folder.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { LectureId, UserId } from "../Ids.js"
import { MediaRelocate, type MediaMove } from "../JobTypes.js"
import { exposureOfPath, withExposure, type MediaExposure } from "../MediaPath.js"
import { JobRepository } from "./JobRepository.js"

/** MIME type of HLS playlists: their segments sit in the playlist's folder and move with it. */
const playlistMimeType = "application/vnd.apple.mpegurl"

const PlacedFile = Schema.Struct({
  lectureId: Schema.Number,
  path: Schema.String,
  isPlaylist: Schema.Boolean,
  public: Schema.Boolean
})
type PlacedFile = typeof PlacedFile.Type

const decodePlacedFiles = Schema.decodeUnknown(Schema.Array(PlacedFile))

/** Moves that put every file of `files` into the folder it belongs in, each path once. */
export const planMoves = (files: ReadonlyArray<PlacedFile>): ReadonlyArray<MediaMove> => {
  const moves = new Map<string, MediaMove>()
  for (const file of files) {
    const wanted: MediaExposure = file.public ? "public" : "protected"
    if (exposureOfPath(file.path) === wanted) continue
    const unit = file.isPlaylist ? file.path.slice(0, file.path.lastIndexOf("/")) : file.path
    moves.set(unit, { from: unit, to: withExposure(unit, wanted) })
  }
  return [...moves.values()]
}

export class MediaRelocation extends Effect.Service<MediaRelocation>()(
  "@videoag/domain/MediaRelocation",
  {
    effect: Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const jobs = yield* JobRepository

      const lectureIsPublic = sql.literal(`
        (l.visible AND l.deleted_at IS NULL AND c.visible AND c.deleted_at IS NULL AND
         CASE
           WHEN EXISTS (SELECT 1 FROM access_rules r WHERE r.lecture_id = l.id)
             THEN EXISTS (SELECT 1 FROM access_rules r WHERE r.lecture_id = l.id AND r.kind = 'public')
           WHEN EXISTS (SELECT 1 FROM access_rules r WHERE r.course_id = c.id)
             THEN EXISTS (SELECT 1 FROM access_rules r WHERE r.course_id = c.id AND r.kind = 'public')
           ELSE true
         END)`)

      /** Where new files of the lecture go: the folder its current rules and visibility demand. */
      const exposureOfLecture = (lectureId: LectureId) =>
        Effect.map(
          sql<{ public: boolean }>`
            SELECT ${lectureIsPublic} AS public
            FROM lectures l JOIN courses c ON c.id = l.course_id
            WHERE l.id = ${lectureId}
          `,
          (rows): MediaExposure => (rows[0]?.public === true ? "public" : "protected")
        ).pipe(Effect.withSpan("MediaRelocation.exposureOfLecture"))

      const placedFiles = (lectureIds: ReadonlyArray<number>) =>
        Effect.flatMap(
          sql`
            SELECT m.lecture_id, m.path, m.mime_type = ${playlistMimeType} AS is_playlist,
                   (${lectureIsPublic} AND m.visible AND m.deleted_at IS NULL) AS public
            FROM media m
            JOIN lectures l ON l.id = m.lecture_id
            JOIN courses c ON c.id = l.course_id
            WHERE m.lecture_id IN ${sql.in(lectureIds)}
            UNION ALL
            SELECT t.lecture_id, p.path, false, ${lectureIsPublic}
            FROM thumbnails t
            JOIN lectures l ON l.id = t.lecture_id
            JOIN courses c ON c.id = l.course_id
            CROSS JOIN LATERAL (VALUES (t.path), (t.track_path)) AS p (path)
            WHERE t.lecture_id IN ${sql.in(lectureIds)} AND p.path IS NOT NULL
          `,
          (rows) => Effect.orDie(decodePlacedFiles(rows))
        )

      /**
       * Enqueues one `media.relocate` job for the files of the lectures that sit in the wrong
       * folder; does nothing when all are in place. Call it inside the write's transaction.
       */
      const enqueueFor = (lectureIds: ReadonlyArray<number>, createdBy: UserId | null) =>
        Effect.gen(function* () {
          if (lectureIds.length === 0) return []
          const moves = planMoves(yield* placedFiles(lectureIds))
          if (moves.length === 0) return []
          const job = yield* jobs.enqueue({ type: MediaRelocate, input: { moves }, createdBy })
          yield* Effect.logInfo("Enqueued media relocation").pipe(
            Effect.annotateLogs({ jobId: job.id, moves: moves.length })
          )
          return moves
        }).pipe(Effect.withSpan("MediaRelocation.enqueueFor"))

      /** `enqueueFor` over all lectures of a course. */
      const enqueueForCourse = (courseId: number, createdBy: UserId | null) =>
        Effect.flatMap(
          sql<{ id: number }>`SELECT id FROM lectures WHERE course_id = ${courseId}`,
          (rows) =>
            enqueueFor(
              rows.map((row) => row.id),
              createdBy
            )
        )

      /**
       * Stores the paths of a finished relocation: every media and thumbnail path equal to or
       * below a move's source takes the target's prefix. Returns the lectures it touched.
       */
      const applyMoves = (moves: ReadonlyArray<MediaMove>) =>
        Effect.gen(function* () {
          const lectureIds = new Set<number>()
          for (const { from, to } of moves) {
            const below = `${from}/`
            const moved = yield* sql<{ lectureId: number }>`
              UPDATE media SET path = ${to} || substr(path, ${from.length + 1}), updated_at = now()
              WHERE path = ${from} OR left(path, ${below.length}) = ${below}
              RETURNING lecture_id
            `
            const thumbnails = yield* sql<{ lectureId: number }>`
              UPDATE thumbnails
              SET path = CASE WHEN path = ${from} OR left(path, ${below.length}) = ${below}
                              THEN ${to} || substr(path, ${from.length + 1}) ELSE path END,
                  track_path = CASE WHEN track_path = ${from} OR left(track_path, ${below.length}) = ${below}
                                    THEN ${to} || substr(track_path, ${from.length + 1}) ELSE track_path END
              WHERE path = ${from} OR left(path, ${below.length}) = ${below}
                 OR track_path = ${from} OR left(track_path, ${below.length}) = ${below}
              RETURNING lecture_id
            `
            for (const row of [...moved, ...thumbnails]) lectureIds.add(row.lectureId)
          }
          return [...lectureIds]
        }).pipe(Effect.withSpan("MediaRelocation.applyMoves"))

      return { exposureOfLecture, enqueueFor, enqueueForCourse, applyMoves } as const
    }),
    dependencies: [JobRepository.Default]
  }
) {}
