/**
 * The sorter end to end without the scheduler: the real `media.scan_incoming` worker scans a
 * test incoming folder, and the follow-up matches, waits for growing files and attaches.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import {
  LectureId,
  MediaScanIncoming,
  type MediaScanIncomingOutput,
  type SourceFileId
} from "@videoag/domain"
import { JobRepository, MediaRepository, SourceFileRepository } from "@videoag/domain/sql"
import { TestDatabase } from "@videoag/domain/testing"
import { MediaPipeline } from "../src/MediaPipeline.js"
import { Sorter } from "../src/Sorter.js"
import * as MediaJobs from "./support/MediaJobs.js"

let mediaRoot = ""
const incoming = (name: string) => Path.join(mediaRoot, "incoming", name)
const anHourAgo = new Date(Date.now() - 3_600_000)

const writeSettled = async (name: string, content = "recording") => {
  await Fs.mkdir(Path.dirname(incoming(name)), { recursive: true })
  await Fs.writeFile(incoming(name), content)
  await Fs.utimes(incoming(name), anHourAgo, anHourAgo)
}

beforeAll(async () => {
  mediaRoot = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-sorter-"))
  await writeSettled("analysis_2026-10-14_10-15.mp4")
  await writeSettled("analysis_2026-10-14_10-20_kamera-2.mp4")
  await writeSettled("backup/analysis_2026-10-14_10-15.mp4")
  await writeSettled("ANALYSIS_2026-10-16_1012.mkv")
  await writeSettled("unknown-course_2026-10-14_10-15.mp4")
  await writeSettled("analysis_2026-11-02_10-15.mp4")
  await writeSettled("Vorlesung vom Dienstag.mp4")
  await writeSettled("analysis_2026-02-30_10-15.mp4")
  await writeSettled("notes.txt")
  await writeSettled("linalg_2026-10-15_10-15.mp4")
  await writeSettled("analysis_2026-10-21_10-15.mp4", "first part")
  await writeSettled(".analysis_2026-10-14_10-15.mp4.part")
  // Modified just now: complete only once it is older than the minimum age.
  await Fs.writeFile(incoming("analysis_2026-10-23_10-15.mp4"), "fresh")
})

afterAll(async () => {
  await Fs.rm(mediaRoot, { recursive: true, force: true })
})

const TestLayer = Layer.mergeAll(
  MediaPipeline.Default,
  Sorter.Default,
  SourceFileRepository.Default,
  JobRepository.Default,
  MediaRepository.Default
).pipe(Layer.provideMerge(TestDatabase.layer))

const input = {
  folder: "incoming",
  timeZone: "Europe/Berlin",
  toleranceMinutes: 30,
  minimumAgeSeconds: 60
}

const scan = Effect.suspend(() =>
  Effect.map(
    MediaJobs.enqueueAndComplete(MediaScanIncoming, input, mediaRoot),
    ({ output }) => output
  )
)

const lecture = (courseId: number, startTime: string) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const rows = yield* sql<{ id: number }>`
      INSERT INTO lectures (course_id, start_time) VALUES (${courseId}, ${startTime}) RETURNING id
    `
    return LectureId.make(rows[0]?.id ?? 0)
  })

/** Attached source files as `path → lecture id`, and the paths of the probe jobs. */
const attachments = Effect.gen(function* () {
  const sql = yield* PgClient.PgClient
  const attached = yield* sql<{ path: string; lectureId: number }>`
    SELECT path, lecture_id FROM source_files WHERE lecture_id IS NOT NULL ORDER BY path
  `
  const probes = yield* sql<{ sourcePath: string }>`
    SELECT input->>'sourcePath' AS source_path FROM jobs WHERE type = 'media.probe' ORDER BY 1
  `
  return {
    attached: Object.fromEntries(attached.map((row) => [row.path, row.lectureId])),
    probes: probes.map((row) => row.sourcePath)
  }
})

const unassigned = Effect.map(
  Effect.flatMap(SourceFileRepository, (repository) => repository.listUnassigned),
  (files) => files.map((file) => [file.path.replace("incoming/", ""), file.reason])
)

const waiting = Effect.map(
  Effect.flatMap(SourceFileRepository, (repository) => repository.listWaiting),
  (files) => files.map((file) => file.path.replace("incoming/", ""))
)

describe("Sorter", () => {
  it.layer(TestLayer, { timeout: 120_000 })((it) => {
    const lectures: Record<string, LectureId> = {}

    it.effect("waits for the second scan before it attaches anything", () =>
      Effect.gen(function* () {
        const sql = yield* PgClient.PgClient
        const courses = yield* sql<{ id: number; handle: string }>`
          INSERT INTO courses (handle, title) VALUES ('analysis', 'Analysis I'), ('linalg', 'Lineare Algebra')
          RETURNING id, handle
        `
        const analysis = courses.find((course) => course.handle === "analysis")?.id ?? 0
        const linalg = courses.find((course) => course.handle === "linalg")?.id ?? 0
        lectures["2026-10-14"] = yield* lecture(analysis, "2026-10-14T08:15:00Z")
        lectures["2026-10-16"] = yield* lecture(analysis, "2026-10-16T08:15:00Z")
        lectures["2026-10-21"] = yield* lecture(analysis, "2026-10-21T08:15:00Z")
        yield* lecture(linalg, "2026-10-15T07:45:00Z")
        yield* lecture(linalg, "2026-10-15T08:45:00Z")

        const first = yield* scan
        expect(first.files).toHaveLength(12)
        expect(yield* attachments).toEqual({ attached: {}, probes: [] })
        expect(yield* unassigned).toEqual([])
        expect((yield* waiting).length).toBe(12)
      })
    )

    const expectSorted = Effect.gen(function* () {
      expect(yield* attachments).toEqual({
        attached: {
          "incoming/ANALYSIS_2026-10-16_1012.mkv": lectures["2026-10-16"],
          "incoming/analysis_2026-10-14_10-15.mp4": lectures["2026-10-14"]
        },
        probes: ["incoming/ANALYSIS_2026-10-16_1012.mkv", "incoming/analysis_2026-10-14_10-15.mp4"]
      })
      expect(yield* unassigned).toEqual([
        ["Vorlesung vom Dienstag.mp4", "name_not_recognized"],
        ["analysis_2026-02-30_10-15.mp4", "invalid_date"],
        ["analysis_2026-10-14_10-20_kamera-2.mp4", "lecture_has_source_file"],
        ["analysis_2026-11-02_10-15.mp4", "no_lecture_near_time"],
        ["backup/analysis_2026-10-14_10-15.mp4", "lecture_has_source_file"],
        ["linalg_2026-10-15_10-15.mp4", "ambiguous_lecture"],
        ["notes.txt", "unsupported_extension"],
        ["unknown-course_2026-10-14_10-15.mp4", "course_not_found"]
      ])
      expect(yield* waiting).toEqual([
        "analysis_2026-10-21_10-15.mp4",
        "analysis_2026-10-23_10-15.mp4"
      ])
    })

    it.effect("attaches complete files and lists the rest, twice in a row", () =>
      Effect.gen(function* () {
        yield* Effect.promise(() => Fs.appendFile(incoming("analysis_2026-10-21_10-15.mp4"), "+"))
        yield* scan
        yield* expectSorted

        yield* Effect.promise(() => Fs.appendFile(incoming("analysis_2026-10-21_10-15.mp4"), "+"))
        yield* scan
        yield* expectSorted
      })
    )

    it.effect("explains each unmatched file with its values", () =>
      Effect.gen(function* () {
        const files = yield* Effect.flatMap(
          SourceFileRepository,
          (repository) => repository.listUnassigned
        )
        const message = (name: string) =>
          files.find((file) => file.path === `incoming/${name}`)?.message ?? ""
        expect(message("analysis_2026-11-02_10-15.mp4")).toContain(
          "no lecture starting within 30 minutes of 2026-11-02 10:15 (Europe/Berlin)"
        )
        expect(message("analysis_2026-10-14_10-20_kamera-2.mp4")).toContain(
          'already has the recording "incoming/analysis_2026-10-14_10-15.mp4"'
        )
        expect(message("unknown-course_2026-10-14_10-15.mp4")).toContain('"unknown-course"')
        expect(message("Vorlesung vom Dienstag.mp4")).toContain("analysis-1_2026-10-14_10-15.mp4")
        for (const file of files) {
          expect(file.firstSeenAt, file.path).not.toBeNull()
          expect(file.sizeBytes, file.path).toBeGreaterThan(0)
        }
      })
    )

    it.effect("attaches a file once it stopped growing", () =>
      Effect.gen(function* () {
        // The copy ends: the last write is an hour old, and the next scans see no change.
        const growing = incoming("analysis_2026-10-21_10-15.mp4")
        yield* Effect.promise(() => Fs.utimes(growing, anHourAgo, anHourAgo))
        yield* scan
        expect(yield* waiting).toContain("analysis_2026-10-21_10-15.mp4")
        yield* scan
        const { attached } = yield* attachments
        expect(attached["incoming/analysis_2026-10-21_10-15.mp4"]).toBe(lectures["2026-10-21"])
        expect(yield* waiting).toEqual(["analysis_2026-10-23_10-15.mp4"])
      })
    )

    it.effect("matches an unmatched file to a lecture added later", () =>
      Effect.gen(function* () {
        const sql = yield* PgClient.PgClient
        const courses = yield* sql<{ id: number }>`SELECT id FROM courses WHERE handle = 'analysis'`
        const added = yield* lecture(courses[0]?.id ?? 0, "2026-11-02T09:20:00Z")
        yield* scan
        const { attached, probes } = yield* attachments
        expect(attached["incoming/analysis_2026-11-02_10-15.mp4"]).toBe(added)
        expect(
          probes.filter((path) => path === "incoming/analysis_2026-11-02_10-15.mp4")
        ).toHaveLength(1)
      })
    )

    it.effect("assigns an unmatched file by hand exactly once", () =>
      Effect.gen(function* () {
        const repository = yield* SourceFileRepository
        const files = yield* repository.listUnassigned
        const duplicate = files.find(
          (file) => file.path === "incoming/analysis_2026-10-14_10-20_kamera-2.mp4"
        )
        expect(duplicate).toBeDefined()
        const id = duplicate?.id as SourceFileId
        const assigned = yield* repository.assign(id, lectures["2026-10-14"] as LectureId, null)
        expect(Option.map(assigned, (assignment) => assignment.job.type)).toEqual(
          Option.some("media.probe")
        )
        const again = yield* repository.assign(id, lectures["2026-10-16"] as LectureId, null)
        expect(Option.isNone(again)).toBe(true)

        yield* scan
        const { attached, probes } = yield* attachments
        expect(attached["incoming/analysis_2026-10-14_10-20_kamera-2.mp4"]).toBe(
          lectures["2026-10-14"]
        )
        expect(
          probes.filter((path) => path === "incoming/analysis_2026-10-14_10-20_kamera-2.mp4")
        ).toHaveLength(1)
      })
    )

    it.effect("forgets files that left the folder", () =>
      Effect.gen(function* () {
        yield* Effect.promise(() => Fs.rm(incoming("notes.txt")))
        yield* scan
        const paths = (yield* unassigned).map(([path]) => path)
        expect(paths).not.toContain("notes.txt")
        expect(paths).toContain("Vorlesung vom Dienstag.mp4")
      })
    )

    it.effect("settles a file with a future modification time", () =>
      Effect.gen(function* () {
        const tomorrow = new Date(Date.now() + 86_400_000)
        const path = Path.join(mediaRoot, "camera/analysis_2026-10-16_10-15.mp4")
        yield* Effect.promise(async () => {
          await Fs.mkdir(Path.dirname(path), { recursive: true })
          await Fs.writeFile(path, "recording with a wrong clock")
          await Fs.utimes(path, tomorrow, tomorrow)
        })
        const cameraInput = { ...input, folder: "camera", minimumAgeSeconds: 0 }
        yield* MediaJobs.enqueueAndComplete(MediaScanIncoming, cameraInput, mediaRoot)
        expect(yield* waiting).toContain("camera/analysis_2026-10-16_10-15.mp4")
        yield* MediaJobs.enqueueAndComplete(MediaScanIncoming, cameraInput, mediaRoot)
        expect(yield* waiting).not.toContain("camera/analysis_2026-10-16_10-15.mp4")
        const files = yield* unassigned
        expect(files).toContainEqual([
          "camera/analysis_2026-10-16_10-15.mp4",
          "lecture_has_source_file"
        ])
      })
    )

    it.effect("forgets nothing when the folder vanishes", () =>
      Effect.gen(function* () {
        const before = yield* unassigned
        expect(before).toContainEqual([
          "camera/analysis_2026-10-16_10-15.mp4",
          "lecture_has_source_file"
        ])
        // Like an unmounted volume: the files may come back.
        yield* Effect.promise(() => Fs.rm(Path.join(mediaRoot, "camera"), { recursive: true }))
        yield* MediaJobs.enqueueAndComplete(
          MediaScanIncoming,
          { ...input, folder: "camera", minimumAgeSeconds: 0 },
          mediaRoot
        )
        expect(yield* unassigned).toEqual(before)
      })
    )

    it.effect("ignores a scan older than the last one sorted", () =>
      Effect.gen(function* () {
        const sorter = yield* Sorter
        const jobs = yield* JobRepository
        const job = yield* jobs.enqueue({ type: MediaScanIncoming, input })
        const stale: MediaScanIncomingOutput = {
          folder: "incoming",
          folderExists: true,
          scannedAt: new Date(Date.now() - 86_400_000),
          files: [],
          skipped: []
        }
        const summary = yield* sorter.onScanned(job, input, stale)
        expect(summary.forgotten).toEqual([])
        expect((yield* unassigned).length).toBeGreaterThan(0)
      })
    )
  })
})
