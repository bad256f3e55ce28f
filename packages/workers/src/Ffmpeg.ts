/**
 * Runs ffmpeg with `-progress pipe:1`. It reports progress against a known duration, stops a run
 * that makes no progress for the configured stall timeout, and turns a failed run into a
 * `JobFailure` that quotes ffmpeg's last error lines.
 */
import * as Command from "@effect/platform/Command"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { JobFailure } from "./JobFailure.js"
import * as ProcessRunner from "./ProcessRunner.js"
import { WorkerConfig } from "./WorkerConfig.js"

export interface EncodeProgress {
  /** Share of the input processed, from 0 to 99.9; the caller reports 100 when all is done. */
  readonly percent: number
  readonly etaSeconds: number | null
}

export interface RunOptions<R> {
  /** Arguments after the program name; `-progress pipe:1 -nostats` is appended. */
  readonly args: ReadonlyArray<string>
  /** Working directory, so output names in the arguments can stay relative and plain. */
  readonly workingDirectory: string
  /** Duration of the input that ffmpeg reads, for the percentage. */
  readonly durationSeconds: number
  /** Activity of the run for error messages, e.g. `encoding "talk.mp4"`. */
  readonly activity: string
  readonly onProgress: (progress: EncodeProgress) => Effect.Effect<void, never, R>
}

interface ProgressState {
  readonly lastAdvanceMillis: number
  readonly outTimeMicros: number
  readonly totalSize: number
  readonly frame: number
}

const progressValue = (line: string, key: string): number | null => {
  if (!line.startsWith(`${key}=`)) return null
  const value = Number(line.slice(key.length + 1))
  return Number.isFinite(value) ? value : null
}

/** Lines of ffmpeg's stderr that explain a failure, with the working folder left out. */
const failureDetails = (tail: ReadonlyArray<string>, workingDirectory: string) =>
  tail
    .slice(-5)
    .map((line) => line.split(`${workingDirectory}/`).join(""))
    .join(" | ") || "no details"

/** Runs ffmpeg to the end; fails when it exits non-zero, cannot start or stalls. */
export const run = <R>(options: RunOptions<R>) =>
  Effect.gen(function* () {
    const settings = yield* WorkerConfig
    const startedAt = yield* Clock.currentTimeMillis
    const state = yield* Ref.make<ProgressState>({
      lastAdvanceMillis: startedAt,
      outTimeMicros: 0,
      totalSize: 0,
      frame: 0
    })

    const onLine = (rawLine: string) =>
      Effect.gen(function* () {
        const line = rawLine.trim()
        const outTime = progressValue(line, "out_time_us")
        const totalSize = progressValue(line, "total_size")
        const frame = progressValue(line, "frame")
        const now = yield* Clock.currentTimeMillis
        const previous = yield* Ref.get(state)
        const advanced =
          (outTime !== null && outTime > previous.outTimeMicros) ||
          (totalSize !== null && totalSize > previous.totalSize) ||
          (frame !== null && frame > previous.frame)
        if (advanced) {
          yield* Ref.set(state, {
            lastAdvanceMillis: now,
            outTimeMicros: Math.max(previous.outTimeMicros, outTime ?? 0),
            totalSize: Math.max(previous.totalSize, totalSize ?? 0),
            frame: Math.max(previous.frame, frame ?? 0)
          })
        }
        if (outTime === null || !advanced || options.durationSeconds <= 0) return
        const percent = Math.min(99.9, (outTime / 1_000_000 / options.durationSeconds) * 100)
        const elapsedSeconds = (now - startedAt) / 1000
        const etaSeconds =
          percent > 1 ? Math.round((elapsedSeconds / percent) * (100 - percent)) : null
        yield* options.onProgress({ percent: Math.round(percent * 10) / 10, etaSeconds })
      })

    const stallTimeoutMillis = Duration.toMillis(settings.stallTimeout)
    const watchForStall = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const { lastAdvanceMillis } = yield* Ref.get(state)
      if (now - lastAdvanceMillis >= stallTimeoutMillis) {
        return yield* new JobFailure({
          kind: "temporary",
          code: "ffmpeg_stalled",
          message: `ffmpeg made no progress for ${Duration.format(settings.stallTimeout)} while ${options.activity} and was stopped; the media volume may be unresponsive`
        })
      }
    }).pipe(
      Effect.zipRight(Effect.sleep(Math.max(100, Math.min(1000, stallTimeoutMillis / 4)))),
      Effect.forever
    )

    const command = Command.make(
      settings.ffmpegPath,
      ...options.args,
      "-progress",
      "pipe:1",
      "-nostats"
    ).pipe(Command.workingDirectory(options.workingDirectory))
    const process = ProcessRunner.run(command, { onStdoutLine: onLine }).pipe(
      Effect.mapError(
        (cause) =>
          new JobFailure({
            kind: "temporary",
            code: "ffmpeg_failed",
            message: `Could not run ${settings.ffmpegPath} while ${options.activity}: ${cause.message}`,
            cause
          })
      )
    )
    const outcome = yield* Effect.raceFirst(process, watchForStall)

    if (outcome.exitCode !== 0) {
      const diskFull = outcome.stderrTail.some((line) => line.includes("No space left on device"))
      return yield* new JobFailure({
        kind: diskFull ? "temporary" : "media",
        code: diskFull ? "disk_full" : "ffmpeg_failed",
        message: `ffmpeg exited with code ${outcome.exitCode} while ${options.activity}: ${failureDetails(outcome.stderrTail, options.workingDirectory)}`
      })
    }
    return outcome
  })
