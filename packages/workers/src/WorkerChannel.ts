/**
 * The worker's side of the worker protocol: progress lines on stdout, and the final result or
 * error both as the last stdout line and in the termination-message file.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { terminationMessageMaxBytes, workFolder, type WorkerMessage } from "@videoag/domain"

export interface WorkerChannelService {
  /** Writes one protocol message as a stdout line. */
  readonly emit: (message: WorkerMessage) => Effect.Effect<void>
  /** Writes the final result or error: as the last stdout line and as the termination message. */
  readonly finish: (message: WorkerMessage) => Effect.Effect<void>
}

export class WorkerChannel extends Context.Tag("@videoag/workers/WorkerChannel")<
  WorkerChannel,
  WorkerChannelService
>() {}

const writeLine = (line: string) =>
  Effect.async<void>((resume) => {
    process.stdout.write(`${line}\n`, () => resume(Effect.void))
  })

export interface StdioOptions {
  readonly terminationMessagePath: Option.Option<string>
  /** Media root and job identity, to store a result too large for a termination message. */
  readonly mediaRoot: string
  readonly jobId: string
  readonly attempt: string
}

/** The channel of a real worker process: stdout and the termination-message file. */
export const layerStdio = (options: StdioOptions) =>
  Layer.effect(
    WorkerChannel,
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path

      const terminationMessage = (message: WorkerMessage) =>
        Effect.gen(function* () {
          const json = JSON.stringify(message)
          if (Buffer.byteLength(json, "utf8") <= terminationMessageMaxBytes) {
            return json
          }
          const relativePath = `${workFolder}/results/job-${options.jobId}-${options.attempt}.json`
          const absolutePath = path.join(options.mediaRoot, relativePath)
          yield* fs.makeDirectory(path.dirname(absolutePath), { recursive: true })
          yield* fs.writeFileString(absolutePath, json)
          return JSON.stringify({
            event: "result-file",
            path: relativePath
          } satisfies WorkerMessage)
        })

      const finish = (message: WorkerMessage) =>
        Effect.gen(function* () {
          yield* writeLine(JSON.stringify(message))
          if (Option.isSome(options.terminationMessagePath)) {
            const target = options.terminationMessagePath.value
            yield* Effect.flatMap(terminationMessage(message), (content) =>
              fs.writeFileString(target, content)
            )
          }
        }).pipe(
          Effect.catchAll((error) =>
            Effect.logError("Could not write the termination message", error)
          )
        )

      return { emit: (message) => writeLine(JSON.stringify(message)), finish }
    })
  )

/** A channel that records every message, for tests. */
export const layerRecording = (messages: Ref.Ref<ReadonlyArray<WorkerMessage>>) =>
  Layer.succeed(WorkerChannel, {
    emit: (message) => Ref.update(messages, (previous) => [...previous, message]),
    finish: (message) => Ref.update(messages, (previous) => [...previous, message])
  })
