/**
 * Attaching raw recordings to lectures: the path is checked lexically, then against the media
 * root through the file provider, then the source file is recorded and its probe job enqueued
 * in one transaction.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import {
  AttachedSourceFile,
  Conflict,
  MediaProbe,
  NotFound,
  normalizeSourcePath,
  ServiceUnavailable,
  SourcePathRejected,
  type LectureId,
  type MediaPathProblemKind,
  type User
} from "@videoag/domain"
import {
  JobRepository,
  orDieOnSqlError,
  SourceFileRepository,
  toJob,
  toSourceFile
} from "@videoag/domain/sql"
import { Catalogue } from "../catalogue/Catalogue.js"
import { Inspection, SourceFileInspector } from "./SourceFileInspector.js"

const problemCodes: Record<MediaPathProblemKind, SourcePathRejected["code"]> = {
  empty: "source_path_invalid",
  malformed: "source_path_invalid",
  reserved: "source_path_invalid",
  absolute: "source_path_absolute",
  outside: "source_path_outside_media_root"
}

export class SourceFiles extends Effect.Service<SourceFiles>()("@videoag/server/SourceFiles", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const catalogue = yield* Catalogue
    const inspector = yield* SourceFileInspector
    const sourceFiles = yield* SourceFileRepository
    const jobs = yield* JobRepository

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

    return { attach } as const
  }),
  dependencies: [Catalogue.Default, SourceFileRepository.Default, JobRepository.Default]
}) {}
