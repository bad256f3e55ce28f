/**
 * Stopping a transcode: interrupted in the process, stopped through the CLI with SIGTERM, a
 * stalled ffmpeg, and a job over its time limit. None of them may leave a file at a published
 * path, a work folder or a running ffmpeg. ffmpeg runs through a wrapper that reads the input
 * at its natural speed (`-re`), so every run is still busy when the test stops it.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { WorkerEnvironment, WorkerExitCode, type WorkerMessage } from "@videoag/domain"
import * as TestInputs from "./support/TestInputs.js"

let mediaRoot = ""
let slowFfmpeg = ""
let pidFile = ""

beforeAll(async () => {
  mediaRoot = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-limits-"))
  await TestInputs.video(Path.join(mediaRoot, "lecture.mp4"), {
    width: 320,
    height: 180,
    seconds: 30,
    frameRate: 10
  })
  pidFile = Path.join(mediaRoot, "ffmpeg.pid")
  slowFfmpeg = Path.join(mediaRoot, "ffmpeg-slow.sh")
  await Fs.writeFile(slowFfmpeg, `#!/bin/sh\necho $$ > '${pidFile}'\nexec ffmpeg -re "$@"\n`, {
    mode: 0o755
  })
})

afterAll(async () => {
  await Fs.rm(mediaRoot, { recursive: true, force: true })
})

const input = (jobId: string) => ({
  sourcePath: "lecture.mp4",
  outputDirectory: `published/job-${jobId}`,
  fileNamePrefix: "lecture",
  renditions: [{ profile: "360p", height: 360 }],
  audioProfile: "audio",
  hlsProfile: "hls"
})

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const ffmpegPid = Effect.promise(async () => Number(await Fs.readFile(pidFile, "utf8")))

/** Waits until the job has reported progress above 0 percent. */
const untilEncoding = (messages: Ref.Ref<ReadonlyArray<WorkerMessage>>) =>
  Effect.gen(function* () {
    const encoding = (all: ReadonlyArray<WorkerMessage>) =>
      all.some((message) => message.event === "progress" && message.percent > 0)
    while (!encoding(yield* Ref.get(messages))) {
      yield* Effect.sleep(Duration.millis(50))
    }
  })

const expectNothingLeft = (jobId: string) =>
  Effect.gen(function* () {
    expect(
      yield* Effect.promise(() => TestInputs.exists(Path.join(mediaRoot, `published/job-${jobId}`)))
    ).toBe(false)
    const work = yield* Effect.promise(() =>
      Fs.readdir(Path.join(mediaRoot, ".videoag-work")).catch(() => [])
    )
    expect(work.filter((entry) => entry.startsWith(`job-${jobId}-`))).toEqual([])
    expect(isRunning(yield* ffmpegPid)).toBe(false)
  })

describe("stopping a transcode", () => {
  it.live("an interrupted job kills ffmpeg and leaves nothing", () =>
    Effect.gen(function* () {
      const messages = yield* Ref.make<ReadonlyArray<WorkerMessage>>([])
      const job = yield* Effect.fork(
        TestInputs.runWorker(
          TestInputs.testSettings(mediaRoot, { ffmpegPath: slowFfmpeg }),
          "media.transcode",
          input("41"),
          { jobId: "41", messages }
        )
      )
      yield* untilEncoding(messages)
      const pid = yield* ffmpegPid
      expect(isRunning(pid)).toBe(true)
      yield* Fiber.interrupt(job)
      yield* expectNothingLeft("41")
    })
  )

  it.live("a stalled ffmpeg fails the attempt and leaves nothing", () =>
    Effect.gen(function* () {
      const messages = yield* Ref.make<ReadonlyArray<WorkerMessage>>([])
      const job = yield* Effect.fork(
        TestInputs.runWorker(
          TestInputs.testSettings(mediaRoot, {
            ffmpegPath: slowFfmpeg,
            stallTimeout: Duration.seconds(2)
          }),
          "media.transcode",
          input("42"),
          { jobId: "42", messages }
        )
      )
      yield* untilEncoding(messages)
      process.kill(yield* ffmpegPid, "SIGSTOP")
      const outcome = yield* Fiber.join(job)
      expect(outcome.exitCode).toBe(WorkerExitCode.temporaryFailure)
      const error = TestInputs.errorOf(outcome)
      expect(error?.code).toBe("ffmpeg_stalled")
      expect(error?.message).toContain("no progress for 2s")
      expect(error?.retryable).toBe(true)
      yield* expectNothingLeft("42")
    })
  )

  it.live("a job over its time limit fails and leaves nothing", () =>
    Effect.gen(function* () {
      const outcome = yield* TestInputs.runWorker(
        TestInputs.testSettings(mediaRoot, {
          ffmpegPath: slowFfmpeg,
          timeLimit: Option.some(Duration.seconds(2))
        }),
        "media.transcode",
        input("43"),
        { jobId: "43" }
      )
      expect(outcome.exitCode).toBe(WorkerExitCode.mediaRejected)
      const error = TestInputs.errorOf(outcome)
      expect(error?.code).toBe("time_limit_exceeded")
      expect(error?.message).toContain("time limit of 2s")
      yield* expectNothingLeft("43")
    })
  )

  it.live(
    "SIGTERM to the worker CLI stops the job and leaves nothing",
    () =>
      Effect.gen(function* () {
        const main = new URL("../src/main.ts", import.meta.url).pathname
        const terminationMessage = Path.join(mediaRoot, "termination-log")
        const worker = ChildProcess.spawn(
          process.execPath,
          ["--import", "tsx", main, "run", "media.transcode"],
          {
            env: {
              ...process.env,
              [WorkerEnvironment.jobId]: "44",
              [WorkerEnvironment.attempt]: "1",
              [WorkerEnvironment.input]: JSON.stringify(input("44")),
              [WorkerEnvironment.mediaRoot]: mediaRoot,
              [WorkerEnvironment.terminationMessagePath]: terminationMessage,
              VIDEOAG_FFMPEG_PATH: slowFfmpeg,
              VIDEOAG_X264_PRESET: "ultrafast"
            },
            stdio: ["ignore", "pipe", "pipe"]
          }
        )
        const exited = new Promise<number | null>((resolve) =>
          worker.on("exit", (code) => resolve(code))
        )
        yield* Effect.promise(
          () =>
            new Promise<void>((resolve) => {
              let buffered = ""
              worker.stdout.on("data", (chunk: Buffer) => {
                buffered += chunk.toString("utf8")
                if (/"percent":(?!0[,}])\d/.test(buffered)) resolve()
              })
            })
        )
        worker.kill("SIGTERM")
        const exitCode = yield* Effect.promise(() => exited)
        expect(exitCode).toBe(143)
        yield* expectNothingLeft("44")
      }),
    60_000
  )
})
