/**
 * The media follow-ups with real workers. A recording goes from probe through transcode and
 * thumbnails to media and thumbnail rows, as its course's profile set requests. Housekeeping then
 * finds damaged and missing files and deletes the files of removed media.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { LectureId, MediaListPublished, MediaProbe, type SourceFileId } from "@videoag/domain"
import { JobRepository, MediaRepository, SourceFileRepository } from "@videoag/domain/sql"
import { TestDatabase, TestMedia } from "@videoag/domain/testing"
import { MediaPipeline } from "../src/MediaPipeline.js"
import * as MediaJobs from "./support/MediaJobs.js"

let mediaRoot = ""

beforeAll(async () => {
  mediaRoot = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-pipeline-"))
  await Fs.mkdir(Path.join(mediaRoot, "lectures"))
  await TestMedia.generateRecording(Path.join(mediaRoot, "lectures/analysis.mp4"), {
    width: 640,
    height: 360,
    seconds: 4,
    frameRate: 10
  })
  await Fs.copyFile(
    Path.join(mediaRoot, "lectures/analysis.mp4"),
    Path.join(mediaRoot, "lectures/podcast.mp4")
  )
})

afterAll(async () => {
  await Fs.rm(mediaRoot, { recursive: true, force: true })
})

const TestLayer = Layer.mergeAll(
  MediaPipeline.Default,
  SourceFileRepository.Default,
  JobRepository.Default,
  MediaRepository.Default
).pipe(Layer.provideMerge(TestDatabase.layer))

/** Records a source file for a new lecture of a new course and enqueues its probe. */
const attach = (handle: string, profileSet: string, path: string) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const jobs = yield* JobRepository
    const sourceFiles = yield* SourceFileRepository
    const course = yield* sql<{ id: number }>`
      INSERT INTO courses (handle, title, profile_set) VALUES (${handle}, ${handle}, ${profileSet})
      RETURNING id
    `
    const lecture = yield* sql<{ id: number }>`
      INSERT INTO lectures (course_id, start_time) VALUES (${course[0]?.id ?? 0}, '2026-10-14T08:15:00Z')
      RETURNING id
    `
    const lectureId = LectureId.make(lecture[0]?.id ?? 0)
    const recorded = yield* sourceFiles.recordOrReset({
      path,
      lectureId,
      sizeBytes: null,
      modifiedAt: null
    })
    const sourceFileId = Option.getOrThrow(recorded).id
    const probe = yield* jobs.enqueue({
      type: MediaProbe,
      input: { sourcePath: path },
      sourceFileId
    })
    return { lectureId, sourceFileId, probe }
  })

/** Completes queued jobs of the source file until none is left; returns their types. */
const processAll = (sourceFileId: SourceFileId) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const jobs = yield* JobRepository
    const done: Array<string> = []
    for (;;) {
      const next = yield* sql<{ id: number }>`
        SELECT id FROM jobs WHERE source_file_id = ${sourceFileId} AND status = 'queued'
        ORDER BY id LIMIT 1
      `
      if (next[0] === undefined) return done
      const job = Option.getOrThrow(yield* jobs.findById(next[0].id as never))
      yield* MediaJobs.complete(job, mediaRoot)
      done.push(job.type)
    }
  })

const stateOf = (sourceFileId: SourceFileId) =>
  Effect.map(
    Effect.flatMap(SourceFileRepository, (repository) => repository.findById(sourceFileId)),
    (found) => Option.map(found, (record) => record.state)
  )

describe("MediaPipeline", () => {
  it.layer(TestLayer, { timeout: 180_000 })((it) => {
    it.effect("turns a recording into media and thumbnails", () =>
      Effect.gen(function* () {
        const sql = yield* PgClient.PgClient
        const { lectureId, sourceFileId } = yield* attach(
          "analysis",
          "default",
          "lectures/analysis.mp4"
        )
        expect(yield* processAll(sourceFileId)).toEqual([
          "media.probe",
          "media.transcode",
          "media.thumbnails"
        ])
        expect(yield* stateOf(sourceFileId)).toEqual(Option.some("processed"))

        const folder = `published/public/analysis/${lectureId}/${sourceFileId}`
        const media = yield* sql<{
          profile: string
          path: string
          mimeType: string
          height: number | null
        }>`
          SELECT profile, path, mime_type, height FROM media WHERE lecture_id = ${lectureId} ORDER BY path
        `
        expect(media).toEqual([
          {
            profile: "360p",
            path: `${folder}/analysis-2026-10-14-360p.mp4`,
            mimeType: "video/mp4",
            height: 360
          },
          {
            profile: "audio",
            path: `${folder}/analysis-2026-10-14-audio.m4a`,
            mimeType: "audio/mp4",
            height: null
          },
          {
            profile: "hls",
            path: `${folder}/hls/master.m3u8`,
            mimeType: "application/vnd.apple.mpegurl",
            height: 360
          }
        ])
        const thumbnails = yield* sql<{ kind: string; path: string; trackPath: string | null }>`
          SELECT kind, path, track_path FROM thumbnails WHERE lecture_id = ${lectureId} ORDER BY kind
        `
        expect(thumbnails).toEqual([
          { kind: "poster", path: `${folder}/analysis-2026-10-14-poster.jpg`, trackPath: null },
          {
            kind: "storyboard",
            path: `${folder}/analysis-2026-10-14-storyboard.jpg`,
            trackPath: `${folder}/analysis-2026-10-14-storyboard.vtt`
          }
        ])
      })
    )

    it.effect("follows an audio-only profile set", () =>
      Effect.gen(function* () {
        const sql = yield* PgClient.PgClient
        const { lectureId, sourceFileId } = yield* attach(
          "radio",
          "audio-only",
          "lectures/podcast.mp4"
        )
        expect(yield* processAll(sourceFileId)).toEqual(["media.probe", "media.transcode"])
        expect(yield* stateOf(sourceFileId)).toEqual(Option.some("processed"))
        const media = yield* sql<{ profile: string }>`
          SELECT profile FROM media WHERE lecture_id = ${lectureId}
        `
        expect(media).toEqual([{ profile: "audio" }])
      })
    )

    it.effect("marks the source file failed when a job fails for good", () =>
      Effect.gen(function* () {
        const pipeline = yield* MediaPipeline
        const { probe, sourceFileId } = yield* attach("broken", "default", "lectures/missing.mp4")
        yield* pipeline.onFailed(probe)
        expect(yield* stateOf(sourceFileId)).toEqual(Option.some("failed"))
      })
    )

    it.effect("reports damaged files and deletes those of removed media", () =>
      Effect.gen(function* () {
        const sql = yield* PgClient.PgClient
        const repository = yield* MediaRepository
        const check = Effect.map(
          MediaJobs.enqueueAndComplete(MediaListPublished, { folders: ["published"] }, mediaRoot),
          () => undefined
        )

        yield* check
        expect(yield* repository.listFileProblems).toEqual([])

        const rows = yield* sql<{ path: string }>`SELECT path FROM media ORDER BY path`
        const [video, audio, stream] = rows.map((row) => row.path)
        const poster = (yield* sql<{ path: string }>`
          SELECT path FROM thumbnails WHERE kind = 'poster' AND path LIKE 'published/public/analysis/%'
        `)[0]?.path
        const inRoot = (path: string | undefined) => Path.join(mediaRoot, path ?? "missing")
        yield* Effect.promise(() => Fs.appendFile(inRoot(video), "damage"))
        yield* Effect.promise(() => Fs.rm(inRoot(poster)))
        yield* Effect.promise(() => Fs.writeFile(inRoot("published/stray.txt"), "left over"))
        yield* sql`UPDATE media SET deleted_at = now() WHERE path IN (${audio ?? ""}, ${stream ?? ""})`

        yield* check
        const problems = yield* repository.listFileProblems
        expect(problems.map((problem) => [problem.path, problem.kind])).toEqual([
          [video, "size_mismatch"],
          [poster, "missing"],
          ["published/stray.txt", "unreferenced"]
        ])
        expect(problems[0]?.message).toContain("were recorded")

        const deletions = yield* MediaJobs.queued("media.delete_files")
        expect(deletions).toHaveLength(1)
        yield* MediaJobs.complete(deletions[0] as never, mediaRoot)
        expect(
          yield* Effect.promise(() =>
            Fs.stat(inRoot(audio)).then(
              () => true,
              () => false
            )
          )
        ).toBe(false)
        expect(
          yield* Effect.promise(() =>
            Fs.stat(Path.dirname(inRoot(stream))).then(
              () => true,
              () => false
            )
          )
        ).toBe(false)
        const purged = yield* sql<{ path: string }>`
          SELECT path FROM media WHERE purged_at IS NOT NULL ORDER BY path
        `
        expect(purged.map((row) => row.path)).toEqual([audio, stream])

        yield* check
        expect(yield* MediaJobs.queued("media.delete_files")).toEqual([])
        expect((yield* repository.listFileProblems).map((problem) => problem.kind)).toEqual([
          "size_mismatch",
          "missing",
          "unreferenced"
        ])
      })
    )
  })
})
