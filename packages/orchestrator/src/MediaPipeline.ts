/**
 * Follow-ups of media jobs. A succeeded probe records its result and enqueues the
 * transcode of the course's profile set into the folder the lecture's access demands. A
 * succeeded transcode records the lecture's media and enqueues the thumbnails, whose rows are
 * recorded when they succeed. A succeeded relocation stores the new paths of moved files. After
 * the last step of a recording and after a relocation the lecture's files are checked again, so
 * a change of access that overtook the work enqueues another relocation. A job that failed for
 * good marks its source file failed. The sorter's scans and the housekeeping jobs have their own
 * follow-ups (`Sorter`, `Housekeeping`). Each step runs in the transaction that stores the
 * job's outcome, so a crash never leaves a finished job without its follow-up.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  defaultProfileSet,
  findProfileSet,
  LectureId,
  MediaDeleteFiles,
  MediaListPublished,
  mediaFolderOf,
  MediaProbe,
  MediaRelocate,
  MediaScanIncoming,
  MediaThumbnails,
  MediaTranscode,
  profileSets,
  type MediaProbeOutput,
  type MediaTranscodeOutput,
  type SourceFileId
} from "@videoag/domain"
import {
  JobRepository,
  MediaRelocation,
  MediaRepository,
  SourceFileRepository,
  type JobRecord
} from "@videoag/domain/sql"
import { Housekeeping } from "./Housekeeping.js"
import { Sorter } from "./Sorter.js"

const LectureContext = Schema.Struct({
  lectureId: LectureId,
  startTime: Schema.DateFromSelf,
  courseHandle: Schema.String,
  profileSet: Schema.String
})

const dateInBerlin = (instant: Date) =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Berlin",
    year: "numeric",
    month: "2-digit",
    day: "2-digit"
  }).format(instant)

const decodeOrDie = <A, I>(schema: Schema.Schema<A, I>, value: unknown) =>
  Effect.orDie(Schema.decodeUnknown(schema)(value))

export class MediaPipeline extends Effect.Service<MediaPipeline>()(
  "@videoag/orchestrator/MediaPipeline",
  {
    effect: Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      const jobs = yield* JobRepository
      const sourceFiles = yield* SourceFileRepository
      const media = yield* MediaRepository
      const sorter = yield* Sorter
      const housekeeping = yield* Housekeeping
      const relocation = yield* MediaRelocation

      const lectureOf = (sourceFileId: SourceFileId) =>
        Effect.flatMap(
          sql`
          SELECT l.id AS lecture_id, l.start_time, c.handle AS course_handle, c.profile_set
          FROM source_files s
          JOIN lectures l ON l.id = s.lecture_id
          JOIN courses c ON c.id = l.course_id
          WHERE s.id = ${sourceFileId}
        `,
          (rows) => decodeOrDie(Schema.Array(LectureContext), rows)
        ).pipe(Effect.map((rows) => Option.fromNullable(rows[0])))

      const profileSetOf = (name: string) =>
        Option.match(findProfileSet(name), {
          onSome: (set) => Effect.succeed(set),
          onNone: () =>
            Effect.as(
              Effect.logWarning("Unknown profile set; using the default one").pipe(
                Effect.annotateLogs({ profileSet: name })
              ),
              profileSets[defaultProfileSet]
            )
        })

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
          const set = yield* profileSetOf(lecture.value.profileSet)
          const { sourcePath } = yield* decodeOrDie(MediaProbe.input, job.input)
          const exposure = yield* relocation.exposureOfLecture(lectureId)
          const transcode = yield* jobs.enqueue({
            type: MediaTranscode,
            input: {
              sourcePath,
              outputDirectory: `${mediaFolderOf(exposure)}/${courseHandle}/${lectureId}/${sourceFileId}`,
              fileNamePrefix: `${courseHandle}-${dateInBerlin(startTime)}`,
              renditions: set.renditions,
              audioProfile: set.audioProfile,
              hlsProfile: set.hlsProfile
            },
            priority: job.priority,
            sourceFileId,
            createdBy: job.createdBy,
            dedupKey: `media.transcode:source-file-${sourceFileId}:after-job-${job.id}`
          })
          yield* Effect.logInfo("Enqueued transcode").pipe(
            Effect.annotateLogs({
              sourceFileId,
              transcodeJobId: transcode.id,
              profileSet: set.name
            })
          )
        })

      /**
       * Records the media and enqueues the thumbnails: the poster from the largest video, the
       * storyboard from the smallest, which decodes fastest. Without video or without
       * thumbnails in the profile set, processing ends here.
       */
      const transcodeSucceeded = (
        job: JobRecord,
        sourceFileId: SourceFileId,
        output: MediaTranscodeOutput
      ) =>
        Effect.gen(function* () {
          const lecture = yield* lectureOf(sourceFileId)
          if (Option.isNone(lecture)) {
            return yield* Effect.logWarning(
              "Transcode finished for a source file without a lecture"
            ).pipe(Effect.annotateLogs({ sourceFileId }))
          }
          yield* media.recordTranscode(lecture.value.lectureId, sourceFileId, output.files)
          const set = yield* profileSetOf(lecture.value.profileSet)
          const videos = output.files
            .filter((file) => file.mimeType === "video/mp4" && file.height !== null)
            .sort((a, b) => (b.height ?? 0) - (a.height ?? 0))
          const largest = videos[0]
          const smallest = videos.at(-1)
          if (set.thumbnails === null || largest === undefined || smallest === undefined) {
            yield* sourceFiles.setState(sourceFileId, "processed")
            yield* relocation.enqueueFor([lecture.value.lectureId], job.createdBy)
            return
          }
          const transcode = yield* decodeOrDie(MediaTranscode.input, job.input)
          const thumbnails = yield* jobs.enqueue({
            type: MediaThumbnails,
            input: {
              posterSourcePath: largest.path,
              storyboardSourcePath: smallest.path,
              outputDirectory: transcode.outputDirectory,
              fileNamePrefix: transcode.fileNamePrefix,
              ...set.thumbnails
            },
            priority: job.priority,
            sourceFileId,
            createdBy: job.createdBy,
            dedupKey: `media.thumbnails:source-file-${sourceFileId}:after-job-${job.id}`
          })
          yield* Effect.logInfo("Enqueued thumbnails").pipe(
            Effect.annotateLogs({ sourceFileId, thumbnailsJobId: thumbnails.id })
          )
        })

      /** Runs the follow-up of a succeeded job; `output` has passed the job type's schema. */
      const onSucceeded = (job: JobRecord, output: unknown) =>
        Effect.gen(function* () {
          if (job.type === MediaRelocate.name) {
            const { moved } = yield* Effect.orDie(
              Schema.decodeUnknown(MediaRelocate.output)(output)
            )
            const lectureIds = yield* relocation.applyMoves(moved)
            yield* relocation.enqueueFor(lectureIds, job.createdBy)
            return
          }
          const sourceFileId = job.sourceFileId
          switch (job.type) {
            case MediaProbe.name: {
              if (sourceFileId === null) return
              const probe = yield* decodeOrDie(MediaProbe.output, output)
              return yield* probeSucceeded(job, sourceFileId, probe)
            }
            case MediaTranscode.name: {
              if (sourceFileId === null) return
              const transcode = yield* decodeOrDie(MediaTranscode.output, output)
              return yield* transcodeSucceeded(job, sourceFileId, transcode)
            }
            case MediaThumbnails.name: {
              if (sourceFileId === null) return
              const lecture = yield* lectureOf(sourceFileId)
              if (Option.isSome(lecture)) {
                const thumbnails = yield* decodeOrDie(MediaThumbnails.output, output)
                yield* media.recordThumbnails(lecture.value.lectureId, sourceFileId, thumbnails)
                yield* relocation.enqueueFor([lecture.value.lectureId], job.createdBy)
              }
              return yield* sourceFiles.setState(sourceFileId, "processed")
            }
            case MediaScanIncoming.name: {
              const input = yield* decodeOrDie(MediaScanIncoming.input, job.input)
              const scan = yield* decodeOrDie(MediaScanIncoming.output, output)
              yield* sorter.onScanned(job, input, scan)
              return
            }
            case MediaListPublished.name: {
              const input = yield* decodeOrDie(MediaListPublished.input, job.input)
              const listing = yield* decodeOrDie(MediaListPublished.output, output)
              yield* housekeeping.onListed(job, input, listing)
              return
            }
            case MediaDeleteFiles.name: {
              const deletion = yield* decodeOrDie(MediaDeleteFiles.output, output)
              yield* housekeeping.onDeleted(deletion)
              return
            }
          }
        })

      /** Runs the follow-up of a job that failed for good. */
      const onFailed = (job: JobRecord) =>
        job.sourceFileId === null ? Effect.void : sourceFiles.setState(job.sourceFileId, "failed")

      return { onSucceeded, onFailed } as const
    }),
    dependencies: [
      JobRepository.Default,
      SourceFileRepository.Default,
      MediaRepository.Default,
      Sorter.Default,
      Housekeeping.Default,
      MediaRelocation.Default
    ]
  }
) {}
