/**
 * Runs media jobs the way the orchestrator does, minus the claim loop: the real worker CLI as a
 * child process on a test media root, then the job's follow-up in the transaction that stores
 * its outcome. Tests of the follow-ups use it to drive real job outputs into the database.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { promisify } from "node:util"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import {
  WorkerEnvironment,
  WorkerMessageFromJson,
  type AnyJobType,
  type WorkerMessage
} from "@videoag/domain"
import { JobRepository, type JobRecord } from "@videoag/domain/sql"
import { MediaPipeline } from "../../src/MediaPipeline.js"

const execFile = promisify(ChildProcess.execFile)

/**
 * The worker CLI of this checkout through the tsx loader. `import.meta.resolve`, which the
 * executor's default command uses, is missing under vitest, so the path is spelled out here.
 */
const workerMain = new URL("../../../workers/src/main.ts", import.meta.url).pathname
const repositoryRoot = new URL("../../../../", import.meta.url).pathname

/** Runs the worker CLI for `job` on `mediaRoot` and returns its final protocol message. */
export const runWorker = (job: JobRecord, mediaRoot: string) =>
  Effect.promise(async () => {
    const scratch = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-attempt-"))
    try {
      const args = ["--import", "tsx", workerMain, "run", job.type]
      const { stdout } = await execFile(process.execPath, args, {
        cwd: repositoryRoot,
        env: {
          ...process.env,
          [WorkerEnvironment.jobId]: String(job.id),
          [WorkerEnvironment.attempt]: "1",
          [WorkerEnvironment.input]: JSON.stringify(job.input),
          [WorkerEnvironment.mediaRoot]: mediaRoot,
          [WorkerEnvironment.terminationMessagePath]: Path.join(scratch, "termination-log"),
          VIDEOAG_X264_PRESET: "ultrafast",
          VIDEOAG_HLS_SEGMENT_SECONDS: "2"
        },
        maxBuffer: 64 * 1024 * 1024
      }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }))
      const lastLine = stdout.trim().split("\n").at(-1) ?? ""
      return Option.getOrThrowWith(
        Schema.decodeUnknownOption(WorkerMessageFromJson)(lastLine),
        () => new Error(`The worker printed no protocol message: ${stdout.slice(-500)}`)
      )
    } finally {
      await Fs.rm(scratch, { recursive: true, force: true })
    }
  })

/**
 * Runs `job` through the worker and stores a success with its follow-up, like the orchestrator.
 * Fails the test when the worker reports an error.
 */
export const complete = (job: JobRecord, mediaRoot: string) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const pipeline = yield* MediaPipeline
    const message: WorkerMessage = yield* runWorker(job, mediaRoot)
    if (message.event !== "result") {
      return yield* Effect.dieMessage(`Job ${job.type} did not succeed: ${JSON.stringify(message)}`)
    }
    yield* Effect.gen(function* () {
      yield* sql`
        UPDATE jobs
        SET status = 'succeeded', attempt = 1, output = ${sql.json(message.output)},
            finished_at = now(), updated_at = now()
        WHERE id = ${job.id}
      `
      yield* pipeline.onSucceeded(job, message.output)
    }).pipe(sql.withTransaction)
    return message.output
  })

/** Enqueues a job of `type` with `input` and completes it. */
export const enqueueAndComplete = <Type extends AnyJobType>(
  type: Type,
  input: Schema.Schema.Type<Type["input"]>,
  mediaRoot: string
) =>
  Effect.gen(function* () {
    const jobs = yield* JobRepository
    const job = yield* jobs.enqueue({ type, input })
    const encoded = yield* complete(job, mediaRoot)
    const outputSchema = type.output as unknown as Schema.Schema<
      Schema.Schema.Type<Type["output"]>,
      unknown
    >
    const output = yield* Effect.orDie(Schema.decodeUnknown(outputSchema)(encoded))
    return { job, output }
  })

/** The queued jobs of a type, oldest first. */
export const queued = (type: string) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const jobs = yield* JobRepository
    const rows = yield* sql<{ id: number }>`
      SELECT id FROM jobs WHERE type = ${type} AND status = 'queued' ORDER BY id
    `
    const records: Array<JobRecord> = []
    for (const row of rows) {
      const found = yield* jobs.findById(row.id as JobRecord["id"])
      if (Option.isSome(found)) records.push(found.value)
    }
    return records
  })
