/**
 * Raw recordings known to the system. The server records them when a moderator attaches one;
 * the orchestrator stores probe results and processing states.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { LectureId, SourceFileId } from "../Ids.js"
import { MediaProbeOutput } from "../JobTypes.js"
import { SourceFile, SourceFileState } from "../SourceFile.js"

export const SourceFileRecord = Schema.Struct({
  id: SourceFileId,
  path: Schema.String,
  sizeBytes: Schema.NullOr(Schema.Int),
  modifiedAt: Schema.NullOr(Schema.DateFromSelf),
  probe: Schema.NullOr(MediaProbeOutput),
  lectureId: Schema.NullOr(LectureId),
  state: SourceFileState,
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf
})
export type SourceFileRecord = typeof SourceFileRecord.Type

const decodeRecords = Schema.decodeUnknown(Schema.Array(SourceFileRecord))

export const toSourceFile = (record: SourceFileRecord): SourceFile => new SourceFile(record)

export interface SourceFileDetails {
  readonly path: string
  readonly lectureId: LectureId | null
  readonly sizeBytes: number | null
  readonly modifiedAt: Date | null
}

export class SourceFileRepository extends Effect.Service<SourceFileRepository>()(
  "@videoag/domain/SourceFileRepository",
  {
    effect: Effect.gen(function* () {
      const sql = yield* PgClient.PgClient

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
            INSERT INTO source_files (path, lecture_id, size_bytes, modified_at, state)
            VALUES (${details.path}, ${details.lectureId}, ${details.sizeBytes}, ${details.modifiedAt}, 'pending')
            ON CONFLICT (path) DO UPDATE
              SET lecture_id = excluded.lecture_id, size_bytes = excluded.size_bytes,
                  modified_at = excluded.modified_at, state = 'pending', probe = NULL,
                  updated_at = now()
              WHERE source_files.state = 'failed'
            RETURNING *
          `,
          decodeOne
        ).pipe(Effect.withSpan("SourceFileRepository.recordOrReset"))

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

      return { findById, findByPath, recordOrReset, setState, recordProbe } as const
    })
  }
) {}
