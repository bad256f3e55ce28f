/**
 * Runs one job attempt inside the worker process: validates the job type and input before
 * touching any file, runs the job, and turns its outcome into the final protocol message and
 * the exit code.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Duration from "effect/Duration"
import {
  findJobType,
  jobTypes,
  MediaDeleteFiles,
  MediaListPublished,
  MediaProbe,
  MediaRelocate,
  MediaScanIncoming,
  MediaThumbnails,
  MediaTranscode,
  WorkerExitCode,
  type AnyJobType,
  type WorkerMessage
} from "@videoag/domain"
import { exitCodeOf, isRetryable, JobFailure } from "./JobFailure.js"
import * as MediaDeleteFilesJob from "./jobs/MediaDeleteFiles.js"
import * as MediaListPublishedJob from "./jobs/MediaListPublished.js"
import * as MediaProbeJob from "./jobs/MediaProbe.js"
import * as MediaRelocateJob from "./jobs/MediaRelocate.js"
import * as MediaScanIncomingJob from "./jobs/MediaScanIncoming.js"
import * as MediaThumbnailsJob from "./jobs/MediaThumbnails.js"
import * as MediaTranscodeJob from "./jobs/MediaTranscode.js"
import { WorkerChannel } from "./WorkerChannel.js"
import { WorkerConfig } from "./WorkerConfig.js"

export interface JobRequest {
  readonly typeName: string
  /** The job input as JSON text, as the executor passes it. */
  readonly rawInput: string | undefined
  readonly jobId: string
  readonly attempt: string
}

const describeParseError = (error: ParseResult.ParseError) =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "input"}: ${issue.message}`)
    .join("; ")

const decodeInput = <A, I>(
  type: { readonly name: string; readonly input: Schema.Schema<A, I> },
  rawInput: string | undefined
) =>
  Effect.gen(function* () {
    if (rawInput === undefined || rawInput.trim() === "") {
      return yield* new JobFailure({
        kind: "input",
        code: "input_missing",
        message: `No job input was given; the executor passes it as JSON in VIDEOAG_JOB_INPUT`
      })
    }
    return yield* Schema.decodeUnknown(Schema.parseJson(type.input), { onExcessProperty: "error" })(
      rawInput
    ).pipe(
      Effect.mapError(
        (error) =>
          new JobFailure({
            kind: "input",
            code: "input_invalid",
            message: `The input of ${type.name} is invalid: ${describeParseError(error)}`
          })
      )
    )
  })

/**
 * Stops the job when it runs longer than its type's time limit, or the configured one. The
 * stop interrupts the job, which kills its ffmpeg and removes its work folder.
 */
const withTimeLimit =
  (type: AnyJobType) =>
  <A, E, R>(job: Effect.Effect<A, E, R>) =>
    Effect.flatMap(WorkerConfig, (settings) => {
      const limit = Option.getOrElse(settings.timeLimit, () => type.timeout)
      return Effect.timeoutFail(job, {
        duration: limit,
        onTimeout: () =>
          new JobFailure({
            kind: "media",
            code: "time_limit_exceeded",
            message: `The ${type.name} job ran longer than its time limit of ${Duration.format(limit)} and was stopped`
          })
      })
    })

const runType = (type: AnyJobType, request: JobRequest) =>
  Effect.gen(function* () {
    const attempt = { jobId: request.jobId, attempt: request.attempt }
    switch (type.name) {
      case MediaProbe.name: {
        const input = yield* decodeInput(MediaProbe, request.rawInput)
        return yield* Effect.flatMap(MediaProbeJob.run(input), Schema.encode(MediaProbe.output))
      }
      case MediaTranscode.name: {
        const input = yield* decodeInput(MediaTranscode, request.rawInput)
        return yield* Effect.flatMap(
          MediaTranscodeJob.run(input, attempt),
          Schema.encode(MediaTranscode.output)
        )
      }
      case MediaThumbnails.name: {
        const input = yield* decodeInput(MediaThumbnails, request.rawInput)
        return yield* Effect.flatMap(
          MediaThumbnailsJob.run(input, attempt),
          Schema.encode(MediaThumbnails.output)
        )
      }
      case MediaScanIncoming.name: {
        const input = yield* decodeInput(MediaScanIncoming, request.rawInput)
        return yield* Effect.flatMap(
          MediaScanIncomingJob.run(input),
          Schema.encode(MediaScanIncoming.output)
        )
      }
      case MediaListPublished.name: {
        const input = yield* decodeInput(MediaListPublished, request.rawInput)
        return yield* Effect.flatMap(
          MediaListPublishedJob.run(input),
          Schema.encode(MediaListPublished.output)
        )
      }
      case MediaDeleteFiles.name: {
        const input = yield* decodeInput(MediaDeleteFiles, request.rawInput)
        return yield* Effect.flatMap(
          MediaDeleteFilesJob.run(input),
          Schema.encode(MediaDeleteFiles.output)
        )
      }
      case MediaRelocate.name: {
        const input = yield* decodeInput(MediaRelocate, request.rawInput)
        return yield* Effect.flatMap(
          MediaRelocateJob.run(input),
          Schema.encode(MediaRelocate.output)
        )
      }
    }
  }).pipe(
    Effect.catchTag(
      "ParseError",
      (error) =>
        new JobFailure({
          kind: "internal",
          code: "output_invalid",
          message: `The output of ${type.name} does not match its schema: ${describeParseError(error)}`
        })
    ),
    withTimeLimit(type)
  )

const failureMessage = (failure: JobFailure): WorkerMessage => ({
  event: "error",
  error: { code: failure.code, message: failure.message, retryable: isRetryable(failure.kind) }
})

/** Runs the job and writes its final message; returns the process exit code. */
export const runJob = (request: JobRequest) =>
  Effect.gen(function* () {
    const channel = yield* WorkerChannel
    const outcome = yield* Effect.gen(function* () {
      const type = findJobType(request.typeName)
      if (Option.isNone(type)) {
        return yield* new JobFailure({
          kind: "input",
          code: "unknown_job_type",
          message: `Unknown job type ${JSON.stringify(request.typeName)}; known types: ${jobTypes.map((known) => known.name).join(", ")}`
        })
      }
      return yield* runType(type.value, request).pipe(
        Effect.annotateLogs({
          jobType: request.typeName,
          jobId: request.jobId,
          attempt: request.attempt
        })
      )
    }).pipe(Effect.either)

    if (outcome._tag === "Right") {
      yield* channel.finish({ event: "result", output: outcome.right })
      return WorkerExitCode.succeeded as number
    }
    const failure = outcome.left
    yield* Effect.logWarning("Job failed", failure.message).pipe(
      Effect.annotateLogs({ code: failure.code, kind: failure.kind })
    )
    yield* channel.finish(failureMessage(failure))
    return exitCodeOf(failure.kind)
  })
