import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"

const fixture = Path.join(import.meta.dirname, "fixtures", "StopsSlowly.ts")

interface Stopped {
  readonly code: number | null
  readonly messages: ReadonlyArray<string>
}

/** Starts the fixture, sends SIGTERM once it has started, and collects its log messages. */
const runAndStop = (env: Record<string, string>) =>
  Effect.async<Stopped>((resume) => {
    const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", fixture], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    const messages: Array<string> = []
    let buffered = ""
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split("\n")
      buffered = lines.pop() ?? ""
      for (const line of lines) {
        const message = (JSON.parse(line) as { message: unknown }).message
        messages.push(String(message))
        if (message === "started") child.kill("SIGTERM")
      }
    })
    child.on("close", (code) => resume(Effect.succeed({ code, messages })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

describe("Shutdown.withDeadline", () => {
  it.effect("lets a quick stop finish and exit with 0", () =>
    Effect.gen(function* () {
      const stopped = yield* runAndStop({
        STOP_MILLIS: "200",
        VIDEOAG_SHUTDOWN_TIMEOUT: "20 seconds"
      })
      expect(stopped.code).toBe(0)
      expect(stopped.messages).toEqual([
        "started",
        "Stopping: no new work is accepted, work in progress may finish",
        "finalizer started",
        "finalizer finished"
      ])
    })
  )

  it.effect("exits with 1 when stopping outlasts the deadline", () =>
    Effect.gen(function* () {
      const stopped = yield* runAndStop({
        STOP_MILLIS: "120000",
        VIDEOAG_SHUTDOWN_TIMEOUT: "1 second"
      })
      expect(stopped.code).toBe(1)
      expect(stopped.messages).toEqual([
        "started",
        "Stopping: no new work is accepted, work in progress may finish",
        "finalizer started",
        "Did not stop within 1s; exiting now"
      ])
    })
  )
})
