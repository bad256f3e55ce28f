/**
 * The follow-up of media jobs keeps published files in the folder their lecture's access
 * demands: a transcode writes into it, a relocation's new paths are stored, and a change of
 * access that overtook a relocation enqueues the next one.
 */
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { MediaRelocation, JobRepository, type JobRecord } from "@videoag/domain/sql"
import { TestDatabase } from "@videoag/domain/testing"
import { MediaPipeline } from "../src/MediaPipeline.js"

const TestLayer = Layer.mergeAll(
  MediaPipeline.Default,
  MediaRelocation.Default,
  JobRepository.Default
).pipe(Layer.provideMerge(TestDatabase.layer))

const insertLecture = (handle: string, rules: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [course] = yield* sql<{ id: number }>`
      INSERT INTO courses (handle, title) VALUES (${handle}, ${handle}) RETURNING id
    `
    const [lecture] = yield* sql<{ id: number }>`
      INSERT INTO lectures (course_id, start_time) VALUES (${course!.id}, now()) RETURNING id
    `
    for (const kind of rules) {
      yield* sql`INSERT INTO access_rules (lecture_id, kind) VALUES (${lecture!.id}, ${kind})`
    }
    return { courseId: course!.id, lectureId: lecture!.id }
  })

const relocationJobs = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    sql<{ id: number; input: { moves: ReadonlyArray<{ from: string; to: string }> } }>`
    SELECT id, input FROM jobs WHERE type = 'media.relocate' ORDER BY id
  `
)

const succeed = (jobId: number, output: unknown) =>
  Effect.gen(function* () {
    const jobs = yield* JobRepository
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE jobs SET status = 'running', attempt = 1 WHERE id = ${jobId}`
    const stored = yield* jobs.succeed(jobId as JobRecord["id"], 1, output, null)
    const pipeline = yield* MediaPipeline
    yield* pipeline.onSucceeded(Option.getOrThrow(stored), output)
  })

describe("media relocation", () => {
  it.layer(TestLayer)((it) => {
    it.effect("a transcode of a protected lecture writes into the protected folder", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const { lectureId } = yield* insertLecture("guarded", ["moderators"])
        const [source] = yield* sql<{ id: number }>`
          INSERT INTO source_files (path, lecture_id, state) VALUES ('raw/guarded.mp4', ${lectureId}, 'processing')
          RETURNING id
        `
        const jobs = yield* JobRepository
        const probe = yield* jobs.enqueue({
          type: (yield* Effect.promise(() => import("@videoag/domain"))).MediaProbe,
          input: { sourcePath: "raw/guarded.mp4" },
          sourceFileId: source!.id as never
        })
        yield* succeed(probe.id, {
          formatName: "mp4",
          durationSeconds: 2,
          sizeBytes: 1000,
          modifiedAt: new Date().toISOString(),
          bitRate: null,
          video: null,
          audio: { codec: "aac", channels: 2, sampleRate: 48000 },
          audioStreamCount: 1
        })
        const [transcode] = yield* sql<{ input: { outputDirectory: string } }>`
          SELECT input FROM jobs WHERE type = 'media.transcode'
        `
        expect(transcode!.input.outputDirectory).toBe(
          `published/protected/guarded/${lectureId}/${source!.id}`
        )
      })
    )

    it.effect("stores moved paths and follows a change that overtook the job", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const relocation = yield* MediaRelocation
        const { lectureId } = yield* insertLecture("flip", [])
        const path = `published/public/flip/${lectureId}/1/flip-720p.mp4`
        yield* sql`
          INSERT INTO media (lecture_id, profile, path, mime_type, size_bytes)
          VALUES (${lectureId}, '720p', ${path}, 'video/mp4', 10)
        `
        yield* sql`INSERT INTO thumbnails (lecture_id, kind, path) VALUES (${lectureId}, 'poster', ${`published/public/flip/${lectureId}/1/poster.jpg`})`

        expect(yield* relocation.enqueueFor([lectureId], null)).toEqual([])

        yield* sql`INSERT INTO access_rules (lecture_id, kind) VALUES (${lectureId}, 'moderators')`
        const moves = yield* relocation.enqueueFor([lectureId], null)
        expect(moves).toEqual([
          { from: path, to: path.replace("/public/", "/protected/") },
          {
            from: `published/public/flip/${lectureId}/1/poster.jpg`,
            to: `published/protected/flip/${lectureId}/1/poster.jpg`
          }
        ])
        const [job] = (yield* relocationJobs).slice(-1)

        yield* sql`DELETE FROM access_rules WHERE lecture_id = ${lectureId}`
        yield* succeed(job!.id, { moved: moves, missing: [] })

        const [medium] = yield* sql<{
          path: string
        }>`SELECT path FROM media WHERE lecture_id = ${lectureId}`
        expect(medium!.path).toBe(path.replace("/public/", "/protected/"))
        const [thumbnail] = yield* sql<{
          path: string
        }>`SELECT path FROM thumbnails WHERE lecture_id = ${lectureId}`
        expect(thumbnail!.path).toContain("/protected/")

        const [next] = (yield* relocationJobs).slice(-1)
        expect(next!.id).toBeGreaterThan(job!.id)
        expect(next!.input.moves).toEqual(moves.map((move) => ({ from: move.to, to: move.from })))
      })
    )

    it.effect("moves a playlist with its folder", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const relocation = yield* MediaRelocation
        const { lectureId } = yield* insertLecture("stream", [])
        const playlist = `published/public/stream/${lectureId}/1/hls/index.m3u8`
        yield* sql`
          INSERT INTO media (lecture_id, profile, path, mime_type, size_bytes, visible)
          VALUES (${lectureId}, 'hls', ${playlist}, 'application/vnd.apple.mpegurl', 10, false)
        `
        expect(yield* relocation.enqueueFor([lectureId], null)).toEqual([
          {
            from: `published/public/stream/${lectureId}/1/hls`,
            to: `published/protected/stream/${lectureId}/1/hls`
          }
        ])
      })
    )
  })
})
