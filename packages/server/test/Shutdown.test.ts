import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as ChildProcess from "node:child_process"
import * as Net from "node:net"
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

interface RunningServer {
  readonly port: number
  readonly messages: () => ReadonlyArray<string>
  readonly exited: Promise<number | null>
  readonly process: ChildProcess.ChildProcess
}

/** Starts the production entry point on a fresh database and waits until it is ready. */
const startServer = (shutdownTimeout: string) =>
  Effect.gen(function* () {
    const url = yield* TestDatabase.createDatabase
    const port = yield* freePort
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        ChildProcess.spawn(process.execPath, ["--import", "tsx", main], {
          env: {
            ...process.env,
            DATABASE_URL: Redacted.value(url),
            VIDEOAG_HTTP_HOST: "127.0.0.1",
            VIDEOAG_HTTP_PORT: String(port),
            VIDEOAG_FILE_PROVIDER_URL: "http://127.0.0.1:9",
            VIDEOAG_SOURCE_FILE_CHECK_URL: "http://127.0.0.1:9/internal/source-files",
            VIDEOAG_SECURE_LINK_SECRET: "shutdown-test-secure-link-secret",
            VIDEOAG_SERVER_SECRET: "shutdown-test-server-secret-0123",
            VIDEOAG_SHUTDOWN_TIMEOUT: shutdownTimeout,
            VIDEOAG_LOG_FORMAT: "json"
          },
          stdio: ["ignore", "pipe", "pipe"]
        })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
    )
    const messages: Array<string> = []
    let buffered = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split("\n")
      buffered = lines.pop() ?? ""
      for (const line of lines) {
        try {
          messages.push(String((JSON.parse(line) as { message: unknown }).message))
        } catch {
          messages.push(line)
        }
      }
    })
    child.stderr?.on("data", (chunk: Buffer) => messages.push(chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve))
    yield* Effect.tryPromise(() => fetch(`http://127.0.0.1:${port}/health/ready`)).pipe(
      Effect.filterOrFail((response) => response.status === 200),
      Effect.retry(Schedule.spaced(Duration.millis(200)).pipe(Schedule.upTo(Duration.seconds(45)))),
      Effect.orDieWith(() => new Error(`The server did not become ready: ${messages.join("\n")}`))
    )
    return { port, messages: () => messages, exited, process: child } satisfies RunningServer
  })

/** Opens a login request whose body is only partly sent, so the server is still waiting for it. */
const startSlowRequest = (port: number) =>
  Effect.promise(
    () =>
      new Promise<{ socket: Net.Socket; rest: string; response: Promise<string> }>((resolve) => {
        const body = JSON.stringify({ username: "nobody", password: "wrong-password" })
        const socket = Net.connect(port, "127.0.0.1", () => {
          socket.write(
            `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`
          )
          resolve({ socket, rest: body.slice(10), response })
        })
        let received = ""
        socket.on("data", (chunk) => (received += chunk.toString()))
        const response = new Promise<string>((done) => socket.on("close", () => done(received)))
      })
  )

const connectionRefused = (port: number) =>
  Effect.promise(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = Net.connect(port, "127.0.0.1")
        socket.on("connect", () => {
          socket.destroy()
          resolve(false)
        })
        socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"))
      })
  )

const waitFor = (condition: Effect.Effect<boolean>, description: string) =>
  condition.pipe(
    Effect.filterOrFail((value) => value),
    Effect.retry(Schedule.spaced(Duration.millis(100)).pipe(Schedule.upTo(Duration.seconds(30)))),
    Effect.orDieWith(() => new Error(`Timed out waiting until ${description}`))
  )

describe("API server on SIGTERM", () => {
  it.scopedLive("finishes the request in flight, refuses new ones and exits with 0", () =>
    Effect.gen(function* () {
      const server = yield* startServer("20 seconds")
      const request = yield* startSlowRequest(server.port)
      // Gives the server time to read the request line and headers before the signal.
      yield* Effect.sleep(Duration.seconds(1))

      server.process.kill("SIGTERM")
      yield* waitFor(
        Effect.sync(() => server.messages().some((message) => message.startsWith("Stopping"))),
        "the server logs that it is stopping"
      )
      yield* waitFor(connectionRefused(server.port), "new connections are refused")
      expect(server.process.exitCode).toBeNull()

      request.socket.write(request.rest)
      const response = yield* Effect.promise(() => request.response)
      expect(response).toMatch(/^HTTP\/1\.1 401 /)
      expect(response).toContain('"code":"invalid_credentials"')
      expect(yield* Effect.promise(() => server.exited)).toBe(0)
    })
  )

  it.scopedLive("exits with 1 when a request outlasts the shutdown timeout", () =>
    Effect.gen(function* () {
      const server = yield* startServer("2 seconds")
      yield* startSlowRequest(server.port)
      yield* Effect.sleep(Duration.seconds(1))

      server.process.kill("SIGTERM")
      expect(yield* Effect.promise(() => server.exited)).toBe(1)
      expect(server.messages()).toContain("Did not stop within 2s; exiting now")
    })
  )
})
