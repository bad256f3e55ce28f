/**
 * What happens after a media job ends: a succeeded probe records its result and enqueues the
 * transcode, a succeeded transcode records the lecture's media, and a job that failed for good
 * marks its source file failed. Each step runs in the transaction that stores the job's
 * outcome, so a crash never leaves a finished job without its follow-up.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  MediaProbe,
  MediaTranscode,
  publishedFolder,
  LectureId,
  type MediaProbeOutput,
  type Rendition,
  type SourceFileId
} from "@videoag/domain"
import {
  JobRepository,
  MediaRepository,
  SourceFileRepository,
  type JobRecord
} from "@videoag/domain/sql"

/** Renditions of the `default` profile set, highest first. */
export const defaultRenditions: ReadonlyArray<Rendition> = [
  { profile: "720p", height: 720 },
  { profile: "360p", height: 360 }
]

export const audioProfile = "audio"

const LectureContext = Schema.Struct({
  lectureId: LectureId,
  startTime: Schema.DateFromSelf,
  courseHandle: Schema.String
})

const dateInBerlin = (instant: Date) =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Berlin",
    year: "numeric",
    month: "2-digit",
    day: "2-digit"
  }).format(instant)

export class MediaPipeline extends Effect.Service<MediaPipeline>()(
  "@videoag/orchestrator/MediaPipeline",
  {
    effect: Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const jobs = yield* JobRepository
      const sourceFiles = yield* SourceFileRepository
      const media = yield* MediaRepository

      const lectureOf = (sourceFileId: SourceFileId) =>
        Effect.flatMap(
          sql`
          SELECT l.id AS lecture_id, l.start_time, c.handle AS course_handle
          FROM source_files s
          JOIN lectures l ON l.id = s.lecture_id
          JOIN courses c ON c.id = l.course_id
          WHERE s.id = ${sourceFileId}
        `,
          (rows) => Effect.orDie(Schema.decodeUnknown(Schema.Array(LectureContext))(rows))
        ).pipe(Effect.map((rows) => Option.fromNullable(rows[0])))

      const probeSucceeded = (
        job: JobRecord,
        sourceFileId: SourceFileId,
        probe: MediaProbeOutput
      ) =>
        Effect.gen(function* () {
          yield* sourceFiles.recordProbe(sourceFileId, probe)
          const lecture = yield* lectureOf(sourceFileId)
          if (Option.isNone(lecture)) {
            yield* sourceFiles.setState(sourceFileId, "pending")
            return
          }
          const { courseHandle, lectureId, startTime } = lecture.value
          const { sourcePath } = yield* Effect.orDie(
            Schema.decodeUnknown(MediaProbe.input)(job.input)
          )
          const transcode = yield* jobs.enqueue({
            type: MediaTranscode,
            input: {
              sourcePath,
              outputDirectory: `${publishedFolder}/${courseHandle}/${lectureId}/${sourceFileId}`,
              fileNamePrefix: `${courseHandle}-${dateInBerlin(startTime)}`,
              renditions: defaultRenditions,
              audioProfile,
              hlsProfile: null
            },
            priority: job.priority,
            sourceFileId,
            createdBy: job.createdBy,
            dedupKey: `media.transcode:source-file-${sourceFileId}:after-job-${job.id}`
          })
          yield* Effect.logInfo("Enqueued transcode").pipe(
            Effect.annotateLogs({ sourceFileId, transcodeJobId: transcode.id })
          )
        })

      /** Runs the follow-up of a succeeded job; `output` has passed the job type's schema. */
      const onSucceeded = (job: JobRecord, output: unknown) =>
        Effect.gen(function* () {
          const sourceFileId = job.sourceFileId
          if (sourceFileId === null) return
          if (job.type === MediaProbe.name) {
            const probe = yield* Effect.orDie(Schema.decodeUnknown(MediaProbe.output)(output))
            yield* probeSucceeded(job, sourceFileId, probe)
          } else if (job.type === MediaTranscode.name) {
            const lecture = yield* lectureOf(sourceFileId)
            if (Option.isNone(lecture)) {
              return yield* Effect.logWarning(
                "Transcode finished for a source file without a lecture"
              ).pipe(Effect.annotateLogs({ sourceFileId }))
            }
            const { files } = yield* Effect.orDie(
              Schema.decodeUnknown(MediaTranscode.output)(output)
            )
            yield* media.recordTranscode(lecture.value.lectureId, sourceFileId, files)
            yield* sourceFiles.setState(sourceFileId, "processed")
          }
        })

      /** Runs the follow-up of a job that failed for good. */
      const onFailed = (job: JobRecord) =>
        job.sourceFileId === null ? Effect.void : sourceFiles.setState(job.sourceFileId, "failed")

      return { onSucceeded, onFailed } as const
    }),
    dependencies: [JobRepository.Default, SourceFileRepository.Default, MediaRepository.Default]
  }
) {}
