/**
 * Runs an external program through `@effect/platform` Command: stdout is handed over line by
 * line while stderr is drained at the same time (a full pipe would block the program), and the
 * last stderr lines are kept for error messages. Interrupting the effect, or a failure of the
 * stdout handler, kills the program and its process group with SIGKILL, because a stopped
 * (SIGSTOP) program ignores SIGTERM until it runs again, and callers discard unfinished output.
 */
import * as Command from "@effect/platform/Command"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import type { PlatformError } from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"

export interface ProcessOutcome {
  readonly exitCode: number
  /** The last lines the program wrote to stderr, oldest first. */
  readonly stderrTail: ReadonlyArray<string>
}

export interface RunOptions<E, R> {
  readonly onStdoutLine: (line: string) => Effect.Effect<void, E, R>
  readonly stderrTailLines?: number
}

export const run = <E, R>(
  command: Command.Command,
  options: RunOptions<E, R>
): Effect.Effect<ProcessOutcome, E | PlatformError, R | CommandExecutor> =>
  Effect.scoped(
    Effect.gen(function* () {
      const process = yield* Command.start(command)
      const tailLength = options.stderrTailLines ?? 40
      const tail: Array<string> = []
      const stdout = process.stdout.pipe(
        Stream.decodeText(),
        Stream.splitLines,
        Stream.runForEach(options.onStdoutLine)
      )
      const stderr = process.stderr.pipe(
        Stream.decodeText(),
        Stream.splitLines,
        Stream.runForEach((line) =>
          Effect.sync(() => {
            if (line.trim() === "") return
            tail.push(line)
            if (tail.length > tailLength) tail.shift()
          })
        )
      )
      const [exitCode] = yield* Effect.all([process.exitCode, stdout, stderr], {
        concurrency: "unbounded"
      }).pipe(
        Effect.onExit((exit) =>
          Exit.isSuccess(exit) ? Effect.void : Effect.ignore(process.kill("SIGKILL"))
        )
      )
      const outcome: ProcessOutcome = { exitCode, stderrTail: tail }
      return outcome
    })
  )
