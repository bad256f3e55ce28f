/**
 * Raw recordings known to the system. The server records one when a moderator attaches it, and
 * the sorter when it finds one in the incoming folder. The orchestrator stores probe results and
 * processing states. A file the sorter could not match stays unassigned (no lecture, state
 * `pending`, with the reason) until a moderator assigns it with `assign`.
 */
import type { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { LectureId, SourceFileId, type UserId } from "../Ids.js"
import {
  UnassignedSourceFile,
  UnmatchedReason,
  WaitingIncomingFile,
  type UnmatchedReason as UnmatchedReasonType
} from "../IncomingFiles.js"
import { MediaProbe, MediaProbeOutput } from "../JobTypes.js"
import { SourceFile, SourceFileState } from "../SourceFile.js"
import { JobRepository, type JobRecord } from "./JobRepository.js"

export const SourceFileRecord = Schema.Struct({
  id: SourceFileId,
  path: Schema.String,
  sizeBytes: Schema.NullOr(Schema.Int),
  modifiedAt: Schema.NullOr(Schema.DateFromSelf),
  probe: Schema.NullOr(MediaProbeOutput),
  lectureId: Schema.NullOr(LectureId),
  state: SourceFileState,
  /** `manual`: attached by a moderator; `sorter`: found in the incoming folder. */
  origin: Schema.Literal("manual", "sorter"),
  unmatchedReason: Schema.NullOr(UnmatchedReason),
  unmatchedMessage: Schema.NullOr(Schema.String),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf
})
export type SourceFileRecord = typeof SourceFileRecord.Type

const decodeRecords = Schema.decodeUnknown(Schema.Array(SourceFileRecord))

export const toSourceFile = (record: SourceFileRecord): SourceFile =>
  new SourceFile({
    id: record.id,
    path: record.path,
    sizeBytes: record.sizeBytes,
    modifiedAt: record.modifiedAt,
    lectureId: record.lectureId,
    state: record.state,
    probe: record.probe,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt
  })

export interface SourceFileDetails {
  readonly path: string
  readonly lectureId: LectureId | null
  readonly sizeBytes: number | null
  readonly modifiedAt: Date | null
  /** Origin of the record, `manual` when not given. */
  readonly origin?: "manual" | "sorter"
}

export interface UnmatchedDetails {
  readonly path: string
  readonly sizeBytes: number
  readonly modifiedAt: Date
  readonly reason: UnmatchedReasonType
  readonly message: string
}

/** A source file assigned to a lecture, and the probe job that starts its processing. */
export interface Assignment {
  readonly sourceFile: SourceFileRecord
  readonly job: JobRecord
}

const UnassignedRow = Schema.Struct({
  id: SourceFileId,
  path: Schema.String,
  sizeBytes: Schema.NullOr(Schema.Int),
  modifiedAt: Schema.NullOr(Schema.DateFromSelf),
  unmatchedReason: Schema.NullOr(UnmatchedReason),
  unmatchedMessage: Schema.NullOr(Schema.String),
  firstSeenAt: Schema.NullOr(Schema.DateFromSelf),
  createdAt: Schema.DateFromSelf
})

const WaitingRow = Schema.Struct({
  path: Schema.String,
  sizeBytes: Schema.Int,
  modifiedAt: Schema.DateFromSelf,
  firstSeenAt: Schema.DateFromSelf,
  changedAt: Schema.DateFromSelf
})

export class SourceFileRepository extends Effect.Service<SourceFileRepository>()(
  "@videoag/domain/SourceFileRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const jobs = yield* JobRepository

      const decodeOne = (rows: ReadonlyArray<unknown>) =>
        Effect.map(Effect.orDie(decodeRecords(rows)), (records) => Option.fromNullable(records[0]))

      const findById = (id: SourceFileId) =>
        Effect.flatMap(sql`SELECT * FROM source_files WHERE id = ${id}`, decodeOne).pipe(
          Effect.withSpan("SourceFileRepository.findById")
        )

      const findByPath = (path: string) =>
        Effect.flatMap(sql`SELECT * FROM source_files WHERE path = ${path}`, decodeOne).pipe(
          Effect.withSpan("SourceFileRepository.findByPath")
        )

      /**
       * Records a source file in state `pending`, or resets a `failed` record of the same path
       * so it can be processed again. Returns none when the path is recorded and not failed.
       */
      const recordOrReset = (details: SourceFileDetails) =>
        Effect.flatMap(
          sql`
            INSERT INTO source_files (path, lecture_id, size_bytes, modified_at, state, origin)
            VALUES (${details.path}, ${details.lectureId}, ${details.sizeBytes}, ${details.modifiedAt}, 'pending',
                    ${details.origin ?? "manual"})
            ON CONFLICT (path) DO UPDATE
              SET lecture_id = excluded.lecture_id, size_bytes = excluded.size_bytes,
                  modified_at = excluded.modified_at, state = 'pending', probe = NULL,
                  unmatched_reason = NULL, unmatched_message = NULL, updated_at = now()
              WHERE source_files.state = 'failed'
            RETURNING *
          `,
          decodeOne
        ).pipe(Effect.withSpan("SourceFileRepository.recordOrReset"))

      /**
       * Records a file the sorter could not match, without a lecture and with the reason.
       * Returns none when the path is already recorded.
       */
      const recordUnmatched = (details: UnmatchedDetails) =>
        Effect.flatMap(
          sql`
            INSERT INTO source_files (path, size_bytes, modified_at, state, origin,
                                      unmatched_reason, unmatched_message)
            VALUES (${details.path}, ${details.sizeBytes}, ${details.modifiedAt}, 'pending', 'sorter',
                    ${details.reason}, ${details.message})
            ON CONFLICT (path) DO NOTHING
            RETURNING *
          `,
          decodeOne
        ).pipe(Effect.withSpan("SourceFileRepository.recordUnmatched"))

      /** Updates the reason of an unassigned source file, e.g. after a new scan. */
      const updateUnmatched = (
        id: SourceFileId,
        update: { readonly reason: UnmatchedReasonType; readonly message: string }
      ) =>
        sql`
          UPDATE source_files
          SET unmatched_reason = ${update.reason}, unmatched_message = ${update.message},
              updated_at = now()
          WHERE id = ${id} AND lecture_id IS NULL
            AND (unmatched_reason IS DISTINCT FROM ${update.reason}
                 OR unmatched_message IS DISTINCT FROM ${update.message})
        `.pipe(Effect.asVoid, Effect.withSpan("SourceFileRepository.updateUnmatched"))

      /**
       * Assigns an unassigned source file to a lecture and enqueues its probe, which starts the
       * processing, in one transaction. Returns none when the file does not exist or is already
       * assigned, so a file is never attached twice. The caller checks that the lecture exists.
       */
      const assign = (
        id: SourceFileId,
        lectureId: LectureId,
        createdBy: UserId | null
      ): Effect.Effect<Option.Option<Assignment>, SqlError> =>
        Effect.gen(function* () {
          const assigned = yield* Effect.flatMap(
            sql`
              UPDATE source_files
              SET lecture_id = ${lectureId}, unmatched_reason = NULL, unmatched_message = NULL,
                  updated_at = now()
              WHERE id = ${id} AND lecture_id IS NULL AND state = 'pending'
              RETURNING *
            `,
            decodeOne
          )
          if (Option.isNone(assigned)) return Option.none()
          const job = yield* jobs.enqueue({
            type: MediaProbe,
            input: { sourcePath: assigned.value.path },
            sourceFileId: id,
            createdBy
          })
          return Option.some({ sourceFile: assigned.value, job })
        }).pipe(sql.withTransaction, Effect.withSpan("SourceFileRepository.assign"))

      /** Source files without a lecture that wait for a moderator, in path order. */
      const listUnassigned = Effect.flatMap(
        sql`
          SELECT s.id, s.path, s.size_bytes, s.modified_at, s.unmatched_reason,
                 s.unmatched_message, i.first_seen_at, s.created_at
          FROM source_files s
          LEFT JOIN incoming_files i ON i.source_file_id = s.id
          WHERE s.lecture_id IS NULL AND s.state = 'pending'
          ORDER BY s.path
        `,
        (rows) => Effect.orDie(Schema.decodeUnknown(Schema.Array(UnassignedRow))(rows))
      ).pipe(
        Effect.map((rows) =>
          rows.map(
            (row) =>
              new UnassignedSourceFile({
                id: row.id,
                path: row.path,
                sizeBytes: row.sizeBytes,
                modifiedAt: row.modifiedAt,
                reason: row.unmatchedReason,
                message: row.unmatchedMessage,
                firstSeenAt: row.firstSeenAt,
                createdAt: row.createdAt
              })
          )
        ),
        Effect.withSpan("SourceFileRepository.listUnassigned")
      )

      /** Files of the incoming folder the sorter waits for, because they are still growing. */
      const listWaiting = Effect.flatMap(
        sql`
          SELECT path, size_bytes, modified_at, first_seen_at, changed_at
          FROM incoming_files WHERE source_file_id IS NULL ORDER BY path
        `,
        (rows) => Effect.orDie(Schema.decodeUnknown(Schema.Array(WaitingRow))(rows))
      ).pipe(
        Effect.map((rows) => rows.map((row) => new WaitingIncomingFile(row))),
        Effect.withSpan("SourceFileRepository.listWaiting")
      )

      const setState = (id: SourceFileId, state: SourceFileState) =>
        sql`UPDATE source_files SET state = ${state}, updated_at = now() WHERE id = ${id}`.pipe(
          Effect.asVoid,
          Effect.withSpan("SourceFileRepository.setState")
        )

      const recordProbe = (id: SourceFileId, probe: MediaProbeOutput) =>
        sql`
          UPDATE source_files
          SET probe = ${sql.json(Schema.encodeSync(MediaProbeOutput)(probe))},
              size_bytes = ${probe.sizeBytes}, modified_at = ${new Date(probe.modifiedAt)},
              state = 'processing', updated_at = now()
          WHERE id = ${id}
        `.pipe(Effect.asVoid, Effect.withSpan("SourceFileRepository.recordProbe"))

      return {
        findById,
        findByPath,
        recordOrReset,
        recordUnmatched,
        updateUnmatched,
        assign,
        listUnassigned,
        listWaiting,
        setState,
        recordProbe
      } as const
    }),
    dependencies: [JobRepository.Default]
  }
) {}
