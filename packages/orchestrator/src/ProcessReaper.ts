/**
 * Ends the processes a worker leaves behind. A worker starts ffmpeg in its own process group,
 * so killing the worker does not reach ffmpeg; when the worker dies without stopping it, ffmpeg
 * would run on. Every process of an attempt inherits a random token in its environment, and
 * after the attempt the reaper kills every process that still carries it. In a pod the
 * container boundary does this job. Reads `/proc`, so it does nothing where there is none.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Crypto from "node:crypto"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

export const attemptTokenVariable = "VIDEOAG_ATTEMPT_TOKEN"

export const makeToken = () => Crypto.randomBytes(12).toString("hex")

/** Process ids whose environment carries `token`; empty where `/proc` is missing. */
export const processesWithToken = (token: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const marker = `${attemptTokenVariable}=${token}\0`
    const entries = yield* fs.readDirectory("/proc").pipe(Effect.orElseSucceed(() => []))
    const found: Array<number> = []
    for (const entry of entries) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
      const environment = yield* fs
        .readFileString(`/proc/${entry}/environ`)
        .pipe(Effect.orElseSucceed(() => ""))
      if (environment.includes(marker)) found.push(Number(entry))
    }
    return found
  })

/** Whether a process has ended: gone from `/proc`, or a zombie waiting for its parent. */
const hasEnded = (pid: number) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.readFileString(`/proc/${pid}/stat`).pipe(
      Effect.map((stat) => stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")),
      Effect.orElseSucceed(() => true)
    )
  )

/**
 * Sends SIGKILL to every process that carries `token` and waits up to five seconds for them to
 * end; returns how many there were.
 */
export const reap = (token: string) =>
  Effect.gen(function* () {
    const stragglers = yield* processesWithToken(token)
    for (const pid of stragglers) {
      yield* Effect.try(() => process.kill(pid, "SIGKILL")).pipe(Effect.ignore)
    }
    for (let waited = 0; waited < 5000; waited += 50) {
      const ended = yield* Effect.forEach(stragglers, hasEnded)
      if (ended.every(Boolean)) break
      yield* Effect.sleep(Duration.millis(50))
    }
    if (stragglers.length > 0) {
      yield* Effect.logWarning("Killed processes the worker left running").pipe(
        Effect.annotateLogs({ pids: stragglers.join(",") })
      )
    }
    return stragglers.length
  })
