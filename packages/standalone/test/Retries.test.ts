import * as PgClient from "@effect/sql-pg/PgClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { attachGeneratedRecording, pollUntil, startStack } from "./support/Harness.js"

interface JobRow {
  readonly id: number
  readonly type: string
  readonly status: string
  readonly attempt: number
  readonly maxAttempts: number
  readonly executorRef: string | null
  readonly error: { readonly code: string } | null
}

const jobsOfType = (type: string) =>
  Effect.flatMap(
    PgClient.PgClient,
    (sql) =>
      sql<JobRow>`SELECT id, type, status, attempt, max_attempts, executor_ref, error FROM jobs WHERE type = ${type} ORDER BY id`
  ).pipe(Effect.orDie)

/** Pids of ffmpeg processes writing into `folder`. */
const ffmpegProcessesIn = (folder: string) =>
  Effect.promise(async () => {
    const { readdir, readFile } = await import("node:fs/promises")
    const found: Array<string> = []
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue
      const commandLine = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")
      if (commandLine.startsWith("ffmpeg\0") && commandLine.includes(folder)) found.push(entry)
    }
    return found
  })

describe("retries", () => {
  it.scopedLive(
    "a worker killed mid-transcode is retried and its ffmpeg does not survive",
    () =>
      Effect.gen(function* () {
        const stack = yield* startStack
        const { client, lecture } = yield* attachGeneratedRecording(stack, {
          handle: "kill",
          fileName: "long.mp4",
          width: 1280,
          height: 720,
          seconds: 30
        })

        const running = yield* pollUntil(
          jobsOfType("media.transcode").pipe(Effect.provide(stack.database)),
          (jobs) => jobs[0]?.status === "running" && jobs[0].executorRef !== null
        )
        const firstAttempt = running[0]!
        yield* pollUntil(ffmpegProcessesIn(stack.mediaRoot), (pids) => pids.length > 0)
        const workerPid = Number(firstAttempt.executorRef!.replace("local:", ""))
        process.kill(workerPid, "SIGKILL")

        const retried = yield* pollUntil(
          jobsOfType("media.transcode").pipe(Effect.provide(stack.database)),
          (jobs) => (jobs[0]?.attempt ?? 0) >= 2
        )
        expect(retried[0]?.attempt).toBe(2)
        // The first attempt's ffmpeg wrote into its own work folder; it must be gone already.
        const firstWorkFolder = `job-${firstAttempt.id}-1/`
        const survivors = yield* ffmpegProcessesIn(firstWorkFolder)
        expect(survivors).toEqual([])
        const done = yield* pollUntil(
          jobsOfType("media.transcode").pipe(Effect.provide(stack.database)),
          (jobs) => jobs[0]?.status === "succeeded" || jobs[0]?.status === "failed",
          "3 minutes"
        )
        expect(done[0]?.status).toBe("succeeded")
        expect(done[0]?.attempt).toBe(2)
        expect(yield* ffmpegProcessesIn(stack.mediaRoot)).toEqual([])
        const detail = yield* client.lectures.get({ path: { id: lecture.id } })
        expect(detail.media.map((medium) => medium.profile)).toEqual([
          "720p",
          "hls",
          "360p",
          "audio"
        ])
      }),
    300_000
  )

  it.scopedLive(
    "a job whose worker dies on every attempt fails after its attempt limit",
    () =>
      Effect.gen(function* () {
        const stack = yield* startStack
        yield* attachGeneratedRecording(stack, {
          handle: "doomed",
          fileName: "doomed.mp4",
          width: 1280,
          height: 720,
          seconds: 30
        })

        const killed = new Set<string>()
        const final = yield* pollUntil(
          Effect.gen(function* () {
            const jobs = yield* jobsOfType("media.transcode").pipe(Effect.provide(stack.database))
            const job = jobs[0]
            if (
              job?.status === "running" &&
              job.executorRef !== null &&
              !killed.has(job.executorRef)
            ) {
              const ffmpeg = yield* ffmpegProcessesIn(stack.mediaRoot)
              if (ffmpeg.length > 0) {
                killed.add(job.executorRef)
                process.kill(Number(job.executorRef.replace("local:", "")), "SIGKILL")
              }
            }
            return jobs
          }),
          (jobs) => jobs[0]?.status === "failed" || jobs[0]?.status === "succeeded",
          "4 minutes"
        )
        expect(final[0]?.status).toBe("failed")
        expect(final[0]?.attempt).toBe(final[0]?.maxAttempts)
        expect(killed.size).toBe(final[0]?.maxAttempts)
        expect(final[0]?.error?.code).toBe("worker_killed")
        const sourceFile = yield* Effect.flatMap(
          PgClient.PgClient,
          (sql) => sql<{ state: string }>`SELECT state FROM source_files`
        ).pipe(Effect.orDie, Effect.provide(stack.database))
        expect(sourceFile).toEqual([{ state: "failed" }])
      }),
    300_000
  )
})
