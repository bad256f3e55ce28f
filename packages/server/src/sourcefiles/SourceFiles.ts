/**
 * Attaching raw recordings to lectures: the path is checked lexically, then against the media
 * root through the file provider, then the source file is recorded and its probe job enqueued
 * in one transaction.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  AttachedSourceFile,
  Conflict,
  MediaProbe,
  NotFound,
  normalizeSourcePath,
  ServiceUnavailable,
  SourceFilePage,
  SourcePathRejected,
  type LectureId,
  type SourceFileId,
  type SourceFileState,
  type MediaPathProblemKind,
  type User
} from "@videoag/domain"
import {
  JobRepository,
  orDieOnSqlError,
  SourceFileRecord,
  SourceFileRepository,
  toJob,
  toSourceFile
} from "@videoag/domain/sql"
import { Catalogue } from "../catalogue/Catalogue.js"
import { ChangeLog, created } from "../changelog/ChangeLog.js"
import { Inspection, SourceFileInspector } from "./SourceFileInspector.js"

const problemCodes: Record<MediaPathProblemKind, SourcePathRejected["code"]> = {
  empty: "source_path_invalid",
  malformed: "source_path_invalid",
  reserved: "source_path_invalid",
  absolute: "source_path_absolute",
  outside: "source_path_outside_media_root"
}

export interface SourceFileFilter {
  readonly state?: SourceFileState | undefined
  readonly lectureId?: number | undefined
  readonly unassigned?: boolean | undefined
  readonly limit: number
  readonly offset: number
}

export class SourceFiles extends Effect.Service<SourceFiles>()("@videoag/server/SourceFiles", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const catalogue = yield* Catalogue
    const inspector = yield* SourceFileInspector
    const sourceFiles = yield* SourceFileRepository
    const jobs = yield* JobRepository
    const changeLog = yield* ChangeLog

    const attach = (lectureId: LectureId, rawPath: string, user: User) =>
      Effect.gen(function* () {
        yield* catalogue.requireLecture(lectureId)
        const normalized = normalizeSourcePath(rawPath)
        if (Either.isLeft(normalized)) {
          const problem = normalized.left
          return yield* new SourcePathRejected({
            code: problemCodes[problem.kind],
            message: problem.message,
            field: "path",
            path: rawPath
          })
        }
        const path = normalized.right
        const quoted = JSON.stringify(path)
        const inspection = yield* inspector.inspect(path).pipe(
          Effect.tapError((error) => Effect.logWarning("Source file check failed", error.message)),
          Effect.mapError(
            () =>
              new ServiceUnavailable({
                code: "file_provider_unavailable",
                message:
                  "The file provider, which checks source files in the media root, did not answer; try again later"
              })
          )
        )
        const file = yield* Inspection.$match(inspection, {
          RegularFile: (found) => Effect.succeed(found),
          Missing: () =>
            new NotFound({
              code: "source_file_not_found",
              message: `No file ${quoted} in the media root; copy the recording there first`
            }),
          OutsideMediaRoot: () =>
            new SourcePathRejected({
              code: "source_path_outside_media_root",
              message: `The path ${quoted} leads outside the media root through a symbolic link; copy the recording into the media root instead`,
              field: "path",
              path: rawPath
            }),
          NotAFile: () =>
            new SourcePathRejected({
              code: "source_path_not_a_file",
              message: `The path ${quoted} is a folder, not a file`,
              field: "path",
              path: rawPath
            })
        })

        const attached = yield* Effect.gen(function* () {
          const recorded = yield* sourceFiles.recordOrReset({
            path,
            lectureId,
            sizeBytes: file.sizeBytes,
            modifiedAt: file.modifiedAt
          })
          if (Option.isNone(recorded)) {
            const existing = yield* sourceFiles.findByPath(path)
            return yield* new Conflict({
              code: "source_file_already_attached",
              message: `The file ${quoted} is already recorded${Option.isSome(existing) ? ` as source file ${existing.value.id} (state ${existing.value.state})` : ""}; it is attached again only after its processing failed`
            })
          }
          const job = yield* jobs.enqueue({
            type: MediaProbe,
            input: { sourcePath: path },
            sourceFileId: recorded.value.id,
            createdBy: user.id
          })
          yield* changeLog.recordChanges(
            "source_file",
            recorded.value.id,
            user.id,
            created({ path, lectureId, probeJobId: job.id })
          )
          return new AttachedSourceFile({
            sourceFile: toSourceFile(recorded.value),
            job: toJob(job)
          })
        }).pipe(sql.withTransaction)

        yield* Effect.logInfo("Attached source file").pipe(
          Effect.annotateLogs({
            lectureId,
            path,
            sourceFileId: attached.sourceFile.id,
            jobId: attached.job.id,
            userId: user.id
          })
        )
        return attached
      }).pipe(orDieOnSqlError, Effect.withSpan("SourceFiles.attach"))

    const list = (filter: SourceFileFilter) =>
      Effect.gen(function* () {
        const conditions = sql.and([
          filter.state === undefined ? sql`true` : sql`state = ${filter.state}`,
          filter.lectureId === undefined ? sql`true` : sql`lecture_id = ${filter.lectureId}`,
          filter.unassigned === true ? sql`lecture_id IS NULL` : sql`true`
        ])
        const rows = yield* sql`
          SELECT * FROM source_files WHERE ${conditions}
          ORDER BY created_at DESC, id DESC LIMIT ${filter.limit} OFFSET ${filter.offset}
        `
        const counted = yield* sql<{ count: number }>`
          SELECT count(*)::int AS count FROM source_files WHERE ${conditions}
        `
        const records = yield* Effect.orDie(
          Schema.decodeUnknown(Schema.Array(SourceFileRecord))(rows)
        )
        return new SourceFilePage({
          items: records.map(toSourceFile),
          total: counted[0]?.count ?? 0,
          limit: filter.limit,
          offset: filter.offset
        })
      }).pipe(orDieOnSqlError, Effect.withSpan("SourceFiles.list"))

    const get = (id: SourceFileId) =>
      Effect.flatMap(sourceFiles.findById(id), (record) =>
        Option.isSome(record)
          ? Effect.succeed(toSourceFile(record.value))
          : new NotFound({
              code: "source_file_not_found",
              message: `No source file with the id ${id}`
            })
      ).pipe(orDieOnSqlError, Effect.withSpan("SourceFiles.get"))

    const listUnassigned = sourceFiles.listUnassigned.pipe(
      orDieOnSqlError,
      Effect.withSpan("SourceFiles.listUnassigned")
    )

    const listWaiting = sourceFiles.listWaiting.pipe(
      orDieOnSqlError,
      Effect.withSpan("SourceFiles.listWaiting")
    )

    /** Assigns a file the sorter could not match to a lecture and starts its processing. */
    const assign = (id: SourceFileId, lectureId: LectureId, user: User) =>
      Effect.gen(function* () {
        yield* catalogue.requireLecture(lectureId)
        const existing = yield* sourceFiles.findById(id)
        if (Option.isNone(existing)) {
          return yield* new NotFound({
            code: "source_file_not_found",
            message: `No source file with the id ${id}`
          })
        }
        const assigned = yield* sourceFiles.assign(id, lectureId, user.id)
        if (Option.isNone(assigned)) {
          return yield* new Conflict({
            code: "source_file_already_attached",
            message: `Source file ${id} is already attached to lecture ${existing.value.lectureId ?? "?"} or being processed (state ${existing.value.state})`
          })
        }
        yield* changeLog.recordChanges("source_file", id, user.id, [
          { field: "lectureId", oldValue: null, newValue: lectureId }
        ])
        yield* Effect.logInfo("Assigned source file").pipe(
          Effect.annotateLogs({ sourceFileId: id, lectureId, userId: user.id })
        )
        return new AttachedSourceFile({
          sourceFile: toSourceFile(assigned.value.sourceFile),
          job: toJob(assigned.value.job)
        })
      }).pipe(sql.withTransaction, orDieOnSqlError, Effect.withSpan("SourceFiles.assign"))

    return { attach, list, get, listUnassigned, listWaiting, assign } as const
  }),
  dependencies: [
    Catalogue.Default,
    SourceFileRepository.Default,
    JobRepository.Default,
    ChangeLog.Default
  ]
}) {}
