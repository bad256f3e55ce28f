import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { profileSets, WorkerExitCode, type MediaThumbnailsOutput } from "@videoag/domain"
import { posterOffset, storyboardInterval } from "../src/jobs/MediaThumbnails.js"
import * as TestInputs from "./support/TestInputs.js"

let mediaRoot = ""

beforeAll(async () => {
  mediaRoot = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-thumbnails-"))
  await Promise.all([
    TestInputs.video(Path.join(mediaRoot, "renditions/long-720p.mp4"), {
      width: 640,
      height: 360,
      seconds: 30,
      frameRate: 5
    }),
    TestInputs.video(Path.join(mediaRoot, "renditions/long-360p.mp4"), {
      width: 320,
      height: 180,
      seconds: 30,
      frameRate: 5
    }),
    TestInputs.video(Path.join(mediaRoot, "renditions/short-360p.mp4"), {
      width: 320,
      height: 180,
      seconds: 2
    }),
    TestInputs.video(Path.join(mediaRoot, "renditions/blink-360p.mp4"), {
      width: 320,
      height: 180,
      seconds: 0.4
    }),
    TestInputs.audio(Path.join(mediaRoot, "renditions/talk.m4a"), { seconds: 2 })
  ])
})

afterAll(async () => {
  await Fs.rm(mediaRoot, { recursive: true, force: true })
})

const settings = profileSets.default.thumbnails
let nextJobId = 300

const thumbnails = (posterSource: string, storyboardSource: string) => {
  const jobId = String(nextJobId++)
  const outputDirectory = `published/job-${jobId}`
  return Effect.map(
    TestInputs.runWorker(
      TestInputs.testSettings(mediaRoot),
      "media.thumbnails",
      {
        posterSourcePath: `renditions/${posterSource}`,
        storyboardSourcePath: `renditions/${storyboardSource}`,
        outputDirectory,
        fileNamePrefix: "lecture",
        posterOffsetSeconds: settings.posterOffsetSeconds,
        posterMaxWidth: settings.posterMaxWidth,
        tileWidth: settings.tileWidth,
        columns: settings.columns,
        intervalSeconds: settings.intervalSeconds,
        maxTiles: settings.maxTiles
      },
      { jobId }
    ),
    (outcome) => ({ outcome, outputDirectory, folder: Path.join(mediaRoot, outputDirectory) })
  )
}

interface Cue {
  readonly start: string
  readonly end: string
  readonly target: string
}

const cuesOf = (track: string): Array<Cue> => {
  const cues: Array<Cue> = []
  const lines = track.split("\n")
  lines.forEach((line, index) => {
    const match = /^(\S+) --> (\S+)$/.exec(line)
    if (match !== null) {
      cues.push({ start: match[1] ?? "", end: match[2] ?? "", target: lines[index + 1] ?? "" })
    }
  })
  return cues
}

describe("media.thumbnails", () => {
  it("chooses denser tiles and an earlier poster for short videos", () => {
    expect(storyboardInterval(7200, 10, 600)).toBe(12)
    expect(storyboardInterval(600, 10, 600)).toBe(10)
    expect(storyboardInterval(30, 10, 600)).toBe(3)
    expect(storyboardInterval(2, 10, 600)).toBe(1)
    expect(posterOffset(600, 3)).toBe(3)
    expect(posterOffset(2, 3)).toBe(1)
  })

  it.effect("writes a poster and a storyboard with its track", () =>
    Effect.gen(function* () {
      const { outcome, folder, outputDirectory } = yield* thumbnails(
        "long-720p.mp4",
        "long-360p.mp4"
      )
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const output = TestInputs.resultOf<MediaThumbnailsOutput>(outcome)
      expect(output.poster).toMatchObject({
        path: `${outputDirectory}/lecture-poster.jpg`,
        mimeType: "image/jpeg",
        width: 640,
        height: 360
      })
      expect(output.storyboard).toMatchObject({
        trackPath: `${outputDirectory}/lecture-storyboard.vtt`,
        tileWidth: 160,
        tileHeight: 90,
        tileCount: 10,
        columns: 10,
        intervalSeconds: 3
      })
      expect(output.storyboard.sprite).toMatchObject({
        path: `${outputDirectory}/lecture-storyboard.jpg`,
        width: 1600,
        height: 90
      })
      expect(yield* Effect.promise(() => TestInputs.filesBelow(folder))).toEqual([
        "lecture-poster.jpg",
        "lecture-storyboard.jpg",
        "lecture-storyboard.vtt"
      ])
      const sprite = yield* Effect.promise(() =>
        TestInputs.probe(Path.join(folder, "lecture-storyboard.jpg"))
      )
      expect(sprite.streams[0]).toMatchObject({ codec_name: "mjpeg", width: 1600, height: 90 })

      const track = yield* Effect.promise(() =>
        Fs.readFile(Path.join(folder, "lecture-storyboard.vtt"), "utf8")
      )
      expect(track.startsWith("WEBVTT\n")).toBe(true)
      const cues = cuesOf(track)
      expect(cues).toHaveLength(10)
      expect(cues[0]).toEqual({
        start: "00:00:00.000",
        end: "00:00:03.000",
        target: "lecture-storyboard.jpg#xywh=0,0,160,90"
      })
      expect(cues[9]?.target).toBe("lecture-storyboard.jpg#xywh=1440,0,160,90")
      expect(cues[9]?.end).toBe("00:00:30.000")
    })
  )

  it.effect("covers a video shorter than the poster offset", () =>
    Effect.gen(function* () {
      const { outcome, folder } = yield* thumbnails("short-360p.mp4", "short-360p.mp4")
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const output = TestInputs.resultOf<MediaThumbnailsOutput>(outcome)
      expect(output.poster).toMatchObject({ width: 320, height: 180 })
      expect(output.storyboard.intervalSeconds).toBe(1)
      expect(output.storyboard.tileCount).toBeGreaterThanOrEqual(1)
      expect(output.storyboard.tileCount).toBeLessThanOrEqual(2)
      const cues = cuesOf(
        yield* Effect.promise(() =>
          Fs.readFile(Path.join(folder, "lecture-storyboard.vtt"), "utf8")
        )
      )
      expect(cues).toHaveLength(output.storyboard.tileCount)
      expect(cues[0]?.start).toBe("00:00:00.000")
      expect(cues.at(-1)?.end).toBe("00:00:02.000")
    })
  )

  it.effect("covers a video of a fraction of a second", () =>
    Effect.gen(function* () {
      const { outcome, folder } = yield* thumbnails("blink-360p.mp4", "blink-360p.mp4")
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const output = TestInputs.resultOf<MediaThumbnailsOutput>(outcome)
      expect(output.storyboard.tileCount).toBe(1)
      expect(output.storyboard.sprite).toMatchObject({ width: 160, height: 90 })
      const cues = cuesOf(
        yield* Effect.promise(() =>
          Fs.readFile(Path.join(folder, "lecture-storyboard.vtt"), "utf8")
        )
      )
      expect(cues).toEqual([
        {
          start: "00:00:00.000",
          end: "00:00:00.400",
          target: "lecture-storyboard.jpg#xywh=0,0,160,90"
        }
      ])
      const poster = yield* Effect.promise(() =>
        TestInputs.probe(Path.join(folder, "lecture-poster.jpg"))
      )
      expect(poster.streams[0]).toMatchObject({ width: 320, height: 180 })
    })
  )

  it.effect("rejects a source without video", () =>
    Effect.gen(function* () {
      const { outcome, folder } = yield* thumbnails("talk.m4a", "talk.m4a")
      expect(outcome.exitCode).toBe(WorkerExitCode.mediaRejected)
      expect(TestInputs.errorOf(outcome)?.code).toBe("no_video_stream")
      expect(yield* Effect.promise(() => TestInputs.exists(folder))).toBe(false)
    })
  )
})
