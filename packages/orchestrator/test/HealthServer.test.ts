import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { TestDatabase } from "@videoag/domain/testing"

const main = Path.join(import.meta.dirname, "..", "src", "main.ts")

const freePort = Effect.promise(
  () =>
    new Promise<number>((resolve, reject) => {
      const server = Net.createServer()
      server.once("error", reject)
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0))
      })
    })
)

describe("orchestrator health server", () => {
  it.scopedLive("answers the probes on its own port and stops on SIGTERM", () =>
    Effect.gen(function* () {
      const url = yield* TestDatabase.createDatabase
      const port = yield* freePort
      const mediaRoot = yield* Effect.acquireRelease(
        Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-orchestrator-health-"))),
        (folder) => Effect.promise(() => Fs.rm(folder, { recursive: true, force: true }))
      )
      const child = yield* Effect.acquireRelease(
        Effect.sync(() =>
          ChildProcess.spawn(process.execPath, ["--import", "tsx", main], {
            env: {
              ...process.env,
              DATABASE_URL: Redacted.value(url),
              VIDEOAG_EXECUTOR: "local",
              VIDEOAG_MEDIA_ROOT: mediaRoot,
              VIDEOAG_ORCHESTRATOR_HEALTH_HOST: "127.0.0.1",
              VIDEOAG_ORCHESTRATOR_HEALTH_PORT: String(port),
              VIDEOAG_LOG_FORMAT: "json"
            },
            stdio: ["ignore", "pipe", "pipe"]
          })
        ),
        (child) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
      )
      let output = ""
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve))

      const ready = yield* Effect.tryPromise(() =>
        fetch(`http://127.0.0.1:${port}/health/ready`)
      ).pipe(
        Effect.filterOrFail((response) => response.status === 200),
        Effect.retry(
          Schedule.spaced(Duration.millis(200)).pipe(Schedule.upTo(Duration.seconds(45)))
        ),
        Effect.orDieWith(() => new Error(`The orchestrator did not become ready:\n${output}`))
      )
      const body = (yield* Effect.promise(() => ready.json())) as Record<string, unknown>
      expect(body["status"]).toBe("ready")

      const live = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/health/live`))
      expect(live.status).toBe(200)
      expect(yield* Effect.promise(() => live.json())).toEqual({ status: "live" })

      child.kill("SIGTERM")
      expect(yield* Effect.promise(() => exited)).toBe(0)
      expect(output).toContain("Stopping: no new work is accepted")
    })
  )
})
