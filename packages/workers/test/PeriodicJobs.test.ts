/**
 * The workers' side of the periodic jobs: the sorter's scan of an incoming folder, and the
 * housekeeping listing and deletion of published files.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import {
  MediaDeleteFilesOutput,
  MediaListPublishedOutput,
  MediaScanIncomingOutput,
  WorkerExitCode
} from "@videoag/domain"
import * as TestInputs from "./support/TestInputs.js"

let mediaRoot = ""
const inRoot = (path: string) => Path.join(mediaRoot, path)

const write = async (path: string, content: string) => {
  await Fs.mkdir(Path.dirname(inRoot(path)), { recursive: true })
  await Fs.writeFile(inRoot(path), content)
}

beforeAll(async () => {
  mediaRoot = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-periodic-"))
  await write("incoming/analysis_2026-10-14_10-15.mp4", "0123456789")
  await write("incoming/camera 2/lineare-algebra_2026-10-15_08-30.mkv", "01234")
  await write("incoming/.analysis_2026-10-14_10-15.mp4.part", "012")
  await write("incoming/.sync/state", "x")
  await write("outside.mp4", "x")
  await Fs.symlink(inRoot("outside.mp4"), inRoot("incoming/link.mp4"))

  await write("published/analysis/1/3/analysis-2026-10-14-360p.mp4", "0123456789")
  await write("published/analysis/1/3/analysis-2026-10-14-audio.m4a", "01234")
  await write(
    "published/analysis/1/3/hls/master.m3u8",
    '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"\n360p.m3u8\n'
  )
  await write(
    "published/analysis/1/3/hls/360p.m3u8",
    '#EXTM3U\n#EXT-X-MAP:URI="360p-init.mp4"\n#EXTINF:2.0,\n360p-00000.m4s\n#EXTINF:1.5,\n360p-00001.m4s\n#EXT-X-ENDLIST\n'
  )
  await write("published/analysis/1/3/hls/360p-init.mp4", "init")
  await write("published/analysis/1/3/hls/360p-00000.m4s", "segment-0")
  await write("published/analysis/1/3/hls/360p-00001.m4s", "segment-1")
  await write(
    "published/analysis/2/4/hls/master.m3u8",
    "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n720p.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=500\n360p.m3u8\n"
  )
  await write(
    "published/analysis/2/4/hls/360p.m3u8",
    "#EXTM3U\n#EXTINF:2.0,\n360p-00000.m4s\n#EXTINF:2.0,\n../escape.m4s\n#EXT-X-ENDLIST\n"
  )
})

afterAll(async () => {
  await Fs.rm(mediaRoot, { recursive: true, force: true })
})

const run = (typeName: string, input: unknown) =>
  TestInputs.runWorker(TestInputs.testSettings(mediaRoot), typeName, input)

const decodeResult =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (outcome: TestInputs.WorkerRun) =>
    Schema.decodeUnknownSync(schema)(TestInputs.resultOf(outcome))

describe("media.scan_incoming", () => {
  it.effect("reports regular files and skips links and hidden files", () =>
    Effect.gen(function* () {
      const outcome = yield* run("media.scan_incoming", { folder: "incoming" })
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const output = decodeResult(MediaScanIncomingOutput)(outcome)
      expect(output.folderExists).toBe(true)
      expect(output.files.map((file) => [file.path, file.sizeBytes])).toEqual([
        ["incoming/analysis_2026-10-14_10-15.mp4", 10],
        ["incoming/camera 2/lineare-algebra_2026-10-15_08-30.mkv", 5]
      ])
      const stat = yield* Effect.promise(() =>
        Fs.stat(inRoot("incoming/analysis_2026-10-14_10-15.mp4"))
      )
      expect(output.files[0]?.modifiedAt.getTime()).toBe(stat.mtime.getTime())
      expect(output.skipped).toEqual([
        {
          path: "incoming/link.mp4",
          reason: "Symbolic links are not followed; copy the recording itself"
        }
      ])
    })
  )

  it.effect("reports a missing folder without failing", () =>
    Effect.gen(function* () {
      const outcome = yield* run("media.scan_incoming", { folder: "uploads" })
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const output = decodeResult(MediaScanIncomingOutput)(outcome)
      expect(output.folderExists).toBe(false)
      expect(output.files).toEqual([])
    })
  )

  it.effect("rejects a folder that is a file or outside the root", () =>
    Effect.gen(function* () {
      const file = yield* run("media.scan_incoming", { folder: "outside.mp4" })
      expect(file.exitCode).toBe(WorkerExitCode.inputRejected)
      expect(TestInputs.errorOf(file)?.code).toBe("folder_not_a_directory")
      const escaping = yield* run("media.scan_incoming", { folder: "../" })
      expect(TestInputs.errorOf(escaping)?.code).toBe("folder_path_invalid")
    })
  )
})

describe("media.list_published", () => {
  it.effect("lists files and reports HLS streams as one entry", () =>
    Effect.gen(function* () {
      const outcome = yield* run("media.list_published", { folders: ["published", "protected"] })
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const output = decodeResult(MediaListPublishedOutput)(outcome)
      expect(output.folders).toEqual([
        { folder: "published", exists: true },
        { folder: "protected", exists: false }
      ])
      expect(
        output.entries.map((entry) => [entry.path, entry.kind, entry.sizeBytes, entry.missingFiles])
      ).toEqual([
        ["published/analysis/1/3/analysis-2026-10-14-360p.mp4", "file", 10, []],
        ["published/analysis/1/3/analysis-2026-10-14-audio.m4a", "file", 5, []],
        ["published/analysis/1/3/hls/master.m3u8", "hls", expect.any(Number), []],
        [
          "published/analysis/2/4/hls/master.m3u8",
          "hls",
          expect.any(Number),
          ["720p.m3u8", "360p-00000.m4s", "../escape.m4s"]
        ]
      ])
      const hlsFiles = yield* Effect.promise(() =>
        Promise.all(
          ["master.m3u8", "360p.m3u8", "360p-init.mp4", "360p-00000.m4s", "360p-00001.m4s"].map(
            (name) => Fs.stat(inRoot(`published/analysis/1/3/hls/${name}`))
          )
        )
      )
      expect(output.entries[2]?.sizeBytes).toBe(hlsFiles.reduce((sum, info) => sum + info.size, 0))
    })
  )
})

describe("media.delete_files", () => {
  it.effect("deletes listed files and keeps changed ones", () =>
    Effect.gen(function* () {
      const listing = decodeResult(MediaListPublishedOutput)(
        yield* run("media.list_published", { folders: ["published"] })
      )
      const entry = (path: string) => {
        const found = listing.entries.find((candidate) => candidate.path === path)
        if (found === undefined) throw new Error(`${path} was not listed`)
        return { path, kind: found.kind, sizeBytes: found.sizeBytes, modifiedAt: found.modifiedAt }
      }
      const video = entry("published/analysis/1/3/analysis-2026-10-14-360p.mp4")
      const audio = entry("published/analysis/1/3/analysis-2026-10-14-audio.m4a")
      const stream = entry("published/analysis/1/3/hls/master.m3u8")
      // Published again after the listing: it must survive.
      yield* Effect.promise(() => write(audio.path, "republished"))

      const outcome = yield* run("media.delete_files", {
        files: [
          { ...video, modifiedAt: video.modifiedAt.toISOString() },
          { ...audio, modifiedAt: audio.modifiedAt.toISOString() },
          { ...stream, modifiedAt: stream.modifiedAt.toISOString() },
          {
            path: "published/analysis/9/9/gone.mp4",
            kind: "file",
            sizeBytes: 1,
            modifiedAt: new Date().toISOString()
          }
        ]
      })
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const output = decodeResult(MediaDeleteFilesOutput)(outcome)
      expect(output.deleted).toEqual([video.path, stream.path])
      expect(output.alreadyGone).toEqual(["published/analysis/9/9/gone.mp4"])
      expect(output.kept).toEqual([
        { path: audio.path, reason: "The file changed since it was listed" }
      ])
      expect(
        yield* Effect.promise(() => TestInputs.filesBelow(inRoot("published/analysis/1")))
      ).toEqual(["3/analysis-2026-10-14-audio.m4a"])
      expect(
        yield* Effect.promise(() => TestInputs.exists(inRoot("published/analysis/1/3/hls")))
      ).toBe(false)
    })
  )

  it.effect("rejects paths outside the published folder", () =>
    Effect.gen(function* () {
      const outcome = yield* run("media.delete_files", {
        files: [
          {
            path: "incoming/analysis_2026-10-14_10-15.mp4",
            kind: "file",
            sizeBytes: 10,
            modifiedAt: new Date().toISOString()
          }
        ]
      })
      expect(outcome.exitCode).toBe(WorkerExitCode.inputRejected)
      expect(TestInputs.errorOf(outcome)?.code).toBe("path_not_deletable")
      expect(
        yield* Effect.promise(() =>
          TestInputs.exists(inRoot("incoming/analysis_2026-10-14_10-15.mp4"))
        )
      ).toBe(true)
    })
  )
})
