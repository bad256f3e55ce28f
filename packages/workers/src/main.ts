/**
 * The worker CLI: `worker run <job type>`, with the job input as JSON in `VIDEOAG_JOB_INPUT`.
 * It speaks the worker protocol described in `WorkerProtocol` of `@videoag/domain` and exits
 * with one of its exit codes. Logs go to stderr, because stdout carries the protocol.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Schedule from "effect/Schedule"
import { WorkerEnvironment, WorkerExitCode } from "@videoag/domain"
import * as WorkerChannel from "./WorkerChannel.js"
import * as WorkerConfig from "./WorkerConfig.js"
import { runJob } from "./Worker.js"

const usage = "Usage: worker run <job type>   (job input as JSON in VIDEOAG_JOB_INPUT)"

/**
 * Ends when the parent process is gone: a worker whose executor died would otherwise keep
 * ffmpeg running with nobody to read its result. In a pod the parent is the init process.
 */
const parentExited = Effect.gen(function* () {
  const parent = process.ppid
  yield* Effect.repeat(
    Effect.sync(() => process.ppid === parent),
    {
      schedule: Schedule.spaced(Duration.seconds(1)),
      while: (alive) => alive
    }
  )
  yield* Effect.logError("The parent process exited; stopping this job").pipe(
    Effect.annotateLogs({ parent })
  )
  return WorkerExitCode.temporaryFailure as number
})

const program = Effect.gen(function* () {
  const [command, typeName, ...rest] = process.argv.slice(2)
  if (command !== "run" || typeName === undefined || rest.length > 0) {
    yield* Effect.logError(usage)
    return WorkerExitCode.inputRejected as number
  }
  const environment = yield* Config.all({
    jobId: Config.withDefault(Config.string(WorkerEnvironment.jobId), "manual"),
    attempt: Config.withDefault(Config.string(WorkerEnvironment.attempt), "1"),
    mediaRoot: Config.string(WorkerEnvironment.mediaRoot),
    terminationMessagePath: Config.option(Config.string(WorkerEnvironment.terminationMessagePath))
  })
  const rawInput = process.env[WorkerEnvironment.input]
  const channel = WorkerChannel.layerStdio(environment).pipe(Layer.provide(NodeContext.layer))
  const job = runJob({ typeName, rawInput, jobId: environment.jobId, attempt: environment.attempt })
  return yield* Effect.raceFirst(job, parentExited).pipe(
    Effect.provide(Layer.mergeAll(channel, WorkerConfig.layer, NodeContext.layer))
  )
}).pipe(
  Effect.catchTag("ConfigError", (error) =>
    Effect.as(
      Effect.logError(`Invalid worker configuration: ${error.message}`),
      WorkerExitCode.inputRejected as number
    )
  )
)

const stderrLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.withConsoleError(Logger.logfmtLogger)
)

NodeRuntime.runMain(program.pipe(Effect.provide(stderrLogger)), {
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) {
      onExit(typeof exit.value === "number" ? exit.value : 1)
    } else {
      // Interrupted by a signal (the executor stopped the job) or a defect.
      onExit(Exit.isInterrupted(exit) ? 143 : 1)
    }
  }
})
