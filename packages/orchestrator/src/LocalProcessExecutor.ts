/**
 * Runs each attempt as a child process of the orchestrator: the worker CLI with the same
 * arguments, environment variables and termination-message file a pod would get. Used by the
 * embedded default and in development.
 */
import * as Command from "@effect/platform/Command"
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import {
  findJobType,
  WorkerEnvironment,
  WorkerExitCode,
  WorkerMessageFromJson,
  type JobError,
  type WorkerMessage
} from "@videoag/domain"
import type { JobRecord } from "@videoag/domain/sql"
import { AttemptOutcome, JobExecutor, type AttemptEvents } from "./JobExecutor.js"
import * as ProcessReaper from "./ProcessReaper.js"

export interface LocalProcessOptions {
  /** Program and leading arguments that start the worker CLI; `run <job type>` is appended. */
  readonly workerCommand: ReadonlyArray<string>
  readonly mediaRoot: string
  /** Time a worker gets to stop after SIGTERM before it is killed. */
  readonly stopGracePeriod?: Duration.DurationInput
}

const logTailLines = 50

const decodeMessage = Schema.decodeUnknownOption(WorkerMessageFromJson)

/**
 * The worker CLI of this checkout, run from source through the tsx loader. Paths are resolved
 * with `require.resolve` because the test runner does not provide `import.meta.resolve`.
 */
export const defaultWorkerCommand = (): ReadonlyArray<string> => {
  const require = createRequire(import.meta.url)
  return [
    process.execPath,
    "--import",
    pathToFileURL(require.resolve("tsx")).href,
    require.resolve("@videoag/workers/main")
  ]
}

const exitFailure = (exitCode: number, logTail: ReadonlyArray<string>): JobError => ({
  code: "worker_exited",
  message: `The worker exited with code ${exitCode} without reporting an error${logTail.length > 0 ? `: ${logTail.at(-1)}` : ""}`,
  retryable: exitCode !== WorkerExitCode.inputRejected && exitCode !== WorkerExitCode.mediaRejected
})

export const make = (options: LocalProcessOptions) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const executor = yield* Effect.context<CommandExecutor>()
    const gracePeriod = Duration.decode(options.stopGracePeriod ?? Duration.seconds(10))

    const runAttempt = (job: JobRecord, events: AttemptEvents) =>
      Effect.gen(function* () {
        const scratch = yield* fs.makeTempDirectoryScoped({ prefix: "videoag-attempt-" })
        const token = ProcessReaper.makeToken()
        yield* Effect.addFinalizer(() =>
          ProcessReaper.reap(token).pipe(Effect.provideService(FileSystem.FileSystem, fs))
        )
        const terminationMessagePath = path.join(scratch, "termination-log")
        const [program, ...leadingArgs] = options.workerCommand
        const command = Command.make(program ?? "node", ...leadingArgs, "run", job.type).pipe(
          Command.env({
            [WorkerEnvironment.jobId]: String(job.id),
            [WorkerEnvironment.attempt]: String(job.attempt),
            [WorkerEnvironment.input]: JSON.stringify(job.input),
            [WorkerEnvironment.mediaRoot]: options.mediaRoot,
            [WorkerEnvironment.terminationMessagePath]: terminationMessagePath,
            [ProcessReaper.attemptTokenVariable]: token
          })
        )
        const process = yield* Command.start(command)
        yield* events.started(`local:${process.pid}`)

        const stopProcess = process.kill("SIGTERM").pipe(
          Effect.timeout(gracePeriod),
          Effect.catchAll(() =>
            Effect.zipRight(
              Effect.logWarning("Worker did not stop after SIGTERM; killing it"),
              process.kill("SIGKILL")
            )
          ),
          Effect.ignore
        )

        let finalMessage: Option.Option<WorkerMessage> = Option.none()
        const logTail: Array<string> = []
        const remember = (line: string) => {
          logTail.push(line)
          if (logTail.length > logTailLines) logTail.shift()
        }
        const stdout = process.stdout.pipe(
          Stream.decodeText(),
          Stream.splitLines,
          Stream.runForEach((line) => {
            const message = decodeMessage(line)
            if (Option.isNone(message)) {
              return line.trim() === "" ? Effect.void : Effect.sync(() => remember(line))
            }
            if (message.value.event === "progress") {
              return events.progress(message.value)
            }
            return Effect.sync(() => {
              finalMessage = message
            })
          })
        )
        const stderr = process.stderr.pipe(
          Stream.decodeText(),
          Stream.splitLines,
          Stream.runForEach((line) => Effect.sync(() => line.trim() !== "" && remember(line)))
        )
        const exit = yield* Effect.all([process.exitCode, stdout, stderr], {
          concurrency: "unbounded"
        }).pipe(
          Effect.map(([code]) => Option.some(code)),
          Effect.catchAll(() => Effect.succeed(Option.none<number>())),
          Effect.onInterrupt(() => stopProcess)
        )
        if (Option.isNone(finalMessage)) {
          const fromFile = yield* fs.readFileString(terminationMessagePath).pipe(Effect.option)
          finalMessage = Option.flatMap(fromFile, decodeMessage)
        }
        const tail = logTail.length > 0 ? logTail.join("\n") : null
        return outcomeOf(job, exit, finalMessage, tail, logTail)
      }).pipe(Effect.scoped, Effect.provide(executor))

    const outcomeOf = (
      job: JobRecord,
      exit: Option.Option<number>,
      finalMessage: Option.Option<WorkerMessage>,
      tail: string | null,
      logTail: ReadonlyArray<string>
    ): AttemptOutcome => {
      if (Option.isNone(exit)) {
        return AttemptOutcome.Failed({
          error: {
            code: "worker_killed",
            message: `The worker process of job ${job.id} was killed by a signal before it finished`,
            retryable: true
          },
          logTail: tail
        })
      }
      const message = Option.getOrNull(finalMessage)
      if (exit.value === WorkerExitCode.succeeded && message?.event === "result") {
        return AttemptOutcome.Succeeded({ output: message.output, logTail: tail })
      }
      if (exit.value === WorkerExitCode.succeeded && message?.event === "result-file") {
        return AttemptOutcome.Failed({
          error: {
            code: "result_unreadable",
            message: `The worker stored its result in ${message.path}, which the orchestrator does not read from the media root; the result line on stdout was missing`,
            retryable: true
          },
          logTail: tail
        })
      }
      if (message?.event === "error") {
        return AttemptOutcome.Failed({ error: message.error, logTail: tail })
      }
      if (exit.value === WorkerExitCode.succeeded) {
        return AttemptOutcome.Failed({
          error: {
            code: "result_missing",
            message: "The worker exited with code 0 but reported no result",
            retryable: true
          },
          logTail: tail
        })
      }
      return AttemptOutcome.Failed({ error: exitFailure(exit.value, logTail), logTail: tail })
    }

    const run = (job: JobRecord, events: AttemptEvents) => {
      const timeout = Option.match(findJobType(job.type), {
        onNone: () => Duration.hours(1),
        onSome: (type) => type.timeout
      })
      return runAttempt(job, events).pipe(
        Effect.timeoutTo({
          duration: timeout,
          onSuccess: (outcome) => outcome,
          onTimeout: () =>
            AttemptOutcome.Failed({
              error: {
                code: "timed_out",
                message: `The attempt ran longer than the ${Duration.format(timeout)} limit of ${job.type} and was stopped`,
                retryable: false
              },
              logTail: null
            })
        }),
        Effect.catchAll((error) =>
          Effect.succeed(
            AttemptOutcome.Failed({
              error: {
                code: "worker_start_failed",
                message: `Could not start the worker: ${error.message}`,
                retryable: true
              },
              logTail: null
            })
          )
        ),
        Effect.annotateLogs({ jobId: job.id, attempt: job.attempt, jobType: job.type }),
        Effect.withSpan("LocalProcessExecutor.run")
      )
    }

    return JobExecutor.of({
      name: "local",
      attemptsSurviveRestart: false,
      run,
      resume: () => Option.none(),
      // Interrupting `run` already ends the child process; nothing outlives it.
      stop: () => Effect.void,
      release: () => Effect.void,
      reconcile: () => Effect.void
    })
  })

export const layer = (options: LocalProcessOptions) => Layer.effect(JobExecutor, make(options))

/** `layer` configured from `VIDEOAG_MEDIA_ROOT` and optionally `VIDEOAG_WORKER_COMMAND`. */
export const layerConfig = Layer.unwrapEffect(
  Effect.map(
    Config.all({
      mediaRoot: Config.string("VIDEOAG_MEDIA_ROOT"),
      workerCommand: Config.option(Config.array(Config.string(), "VIDEOAG_WORKER_COMMAND"))
    }),
    ({ mediaRoot, workerCommand }) =>
      layer({ mediaRoot, workerCommand: Option.getOrElse(workerCommand, defaultWorkerCommand) })
  )
)
