import { describe, expect, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import pg from "pg"
import { TestMedia } from "@videoag/domain/testing"
import { freePort, pollUntil, temporaryFolder } from "./support/Harness.js"

const repositoryRoot = Path.resolve(import.meta.dirname, "../../..")

interface StartedStack {
  readonly child: ChildProcess.ChildProcess
  readonly exited: Promise<number | null>
  readonly output: () => string
}

/** Runs `npm start` in its own process group, as a terminal runs a foreground command. */
const npmStart = (environment: Record<string, string>): StartedStack => {
  const child = ChildProcess.spawn("npm", ["start"], {
    cwd: repositoryRoot,
    env: { ...process.env, ...environment, VIDEOAG_LOG_FORMAT: "logfmt" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)))
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, exited, output: () => output }
}

/** Sends SIGINT to the whole process group, as Ctrl-C in a terminal does. */
const pressCtrlC = (stack: StartedStack) => process.kill(-(stack.child.pid ?? 0), "SIGINT")

/** Command lines of all processes whose arguments or environment mention `marker`. */
const processesMentioning = async (marker: string) => {
  const found: Array<string> = []
  for (const entry of await Fs.readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    const commandLine = await Fs.readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")
    const environment = await Fs.readFile(`/proc/${entry}/environ`, "utf8").catch(() => "")
    if (commandLine.includes(marker) || environment.includes(marker)) {
      found.push(`${entry}: ${commandLine.replaceAll("\0", " ").trim()}`)
    }
  }
  return found
}

/** The few fields of API responses this test reads. */
interface ApiBody {
  readonly id: number
  readonly media: ReadonlyArray<{ readonly profile: string }>
}

const api = async (baseUrl: string, path: string, init: RequestInit & { cookie?: string } = {}) => {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    ...init,
    headers: {
      "content-type": "application/json",
      "x-videoag-csrf": "1",
      ...(init.cookie ? { cookie: init.cookie } : {})
    }
  })
  return {
    status: response.status,
    body: (await response.json().catch(() => null)) as ApiBody,
    headers: response.headers
  }
}

const jobsOf = async (dataDirectory: string, port: number) => {
  const password = (await Fs.readFile(Path.join(dataDirectory, "postgres-password"), "utf8")).trim()
  const client = new pg.Client({
    host: "127.0.0.1",
    port,
    user: "postgres",
    password,
    database: "videoag"
  })
  await client.connect()
  try {
    const result = await client.query(
      "SELECT id, type, status, attempt, progress FROM jobs ORDER BY id"
    )
    return result.rows as Array<{
      id: string
      type: string
      status: string
      attempt: number
      progress: { percent: number } | null
    }>
  } finally {
    await client.end()
  }
}

describe("npm start", () => {
  it.scopedLive(
    "leaves no process behind on Ctrl-C and completes the interrupted job on the next start",
    () =>
      Effect.gen(function* () {
        const dataDirectory = yield* temporaryFolder("videoag-npm-start-")
        yield* Effect.promise(() => Fs.chmod(dataDirectory, 0o755))
        const [httpPort, fileProviderPort, postgresPort] = yield* Effect.promise(() =>
          Promise.all([freePort(), freePort(), freePort()])
        )
        const environment = {
          VIDEOAG_DATA_DIR: dataDirectory,
          VIDEOAG_HTTP_PORT: String(httpPort),
          VIDEOAG_FILE_PROVIDER_PORT: String(fileProviderPort),
          VIDEOAG_EMBEDDED_POSTGRES_PORT: String(postgresPort),
          VIDEOAG_X264_PRESET: "ultrafast",
          VIDEOAG_FFMPEG_THREADS: "1"
        }
        const baseUrl = `http://127.0.0.1:${httpPort}`
        const apiReady = (stack: StartedStack) =>
          pollUntil(
            Effect.promise(() =>
              api(baseUrl, "/courses").then(
                (response) => response.status,
                () => 0
              )
            ),
            (status) => status === 200,
            "90 seconds"
          ).pipe(
            Effect.onError(() =>
              Effect.sync(() => console.error(`npm start output:\n${stack.output()}`))
            )
          )

        const first = npmStart(environment)
        yield* apiReady(first)
        const login = yield* Effect.promise(() =>
          api(baseUrl, "/auth/login", {
            method: "POST",
            body: JSON.stringify({ username: "videoag", password: "videoag" })
          })
        )
        const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? ""
        yield* Effect.promise(() =>
          api(baseUrl, "/courses", {
            method: "POST",
            cookie,
            body: JSON.stringify({ handle: "restart", title: "Restart" })
          })
        )
        const lecture = yield* Effect.promise(() =>
          api(baseUrl, "/courses/restart/lectures", {
            method: "POST",
            cookie,
            body: JSON.stringify({ startTime: "2026-11-02T14:00:00+01:00" })
          })
        )
        yield* Effect.promise(() =>
          TestMedia.generateRecording(Path.join(dataDirectory, "media", "long.mp4"), {
            width: 1280,
            height: 720,
            seconds: 40
          })
        )
        const attached = yield* Effect.promise(() =>
          api(baseUrl, `/lectures/${lecture.body.id}/source-files`, {
            method: "POST",
            cookie,
            body: JSON.stringify({ path: "long.mp4" })
          })
        )
        expect(attached.status).toBe(202)

        const transcoding = yield* pollUntil(
          Effect.promise(() => jobsOf(dataDirectory, postgresPort)),
          (jobs) =>
            jobs.some(
              (job) =>
                job.type === "media.transcode" &&
                job.status === "running" &&
                (job.progress?.percent ?? 0) > 0
            ),
          "90 seconds"
        )
        const transcode = transcoding.find((job) => job.type === "media.transcode")
        expect(
          yield* Effect.promise(() => processesMentioning(Path.join(dataDirectory, "media")))
        ).not.toEqual([])

        pressCtrlC(first)
        yield* Effect.promise(() => first.exited).pipe(
          Effect.timeoutFail({
            duration: Duration.seconds(60),
            onTimeout: () => new Error(`npm start did not stop:\n${first.output()}`)
          })
        )
        // npm exits on the signal at once; the program stops its workers and database first.
        const leftovers = yield* pollUntil(
          Effect.promise(() => processesMentioning(dataDirectory)),
          (found) => found.length === 0,
          "60 seconds"
        ).pipe(
          Effect.onError(() =>
            Effect.sync(() => console.error(`npm start output:\n${first.output()}`))
          )
        )
        expect(leftovers).toEqual([])
        expect(first.output()).toContain("Attempt interrupted; job queued again")

        const second = npmStart(environment)
        yield* Effect.addFinalizer(() =>
          Effect.promise(async () => {
            if (second.child.exitCode === null) pressCtrlC(second)
            await second.exited
          })
        )
        yield* apiReady(second)
        const finished = yield* pollUntil(
          Effect.promise(() => jobsOf(dataDirectory, postgresPort)),
          (jobs) =>
            jobs.some(
              (job) =>
                job.id === transcode?.id && (job.status === "succeeded" || job.status === "failed")
            ),
          "3 minutes"
        )
        const completed = finished.find((job) => job.id === transcode?.id)
        expect(completed?.status, second.output()).toBe("succeeded")
        // The interrupted attempt does not count against the job.
        expect(completed?.attempt).toBe(1)
        const detail = yield* Effect.promise(() => api(baseUrl, `/lectures/${lecture.body.id}`))
        expect(detail.body.media.map((medium) => medium.profile)).toEqual([
          "720p",
          "hls",
          "360p",
          "audio"
        ])
      }),
    360_000
  )
})
