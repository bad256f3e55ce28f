/**
 * A two-minute 1080p source through the default profile set: every rendition, the audio file
 * and the HLS stream come from one ffmpeg process, and progress rises from 0 to 100. The source
 * has 5 frames per second and the encoder runs `ultrafast`, which keeps the test to seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { profileSets, WorkerExitCode, type MediaTranscodeOutput } from "@videoag/domain"
import * as TestInputs from "./support/TestInputs.js"

let mediaRoot = ""
let ffmpegWrapper = ""
let invocationLog = ""

beforeAll(async () => {
  mediaRoot = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-one-decode-"))
  await TestInputs.video(Path.join(mediaRoot, "lecture.mp4"), {
    width: 1920,
    height: 1080,
    seconds: 120,
    frameRate: 5,
    extra: ["-crf", "35"]
  })
  // Stands in for ffmpeg and records each start, so the test can count the processes.
  invocationLog = Path.join(mediaRoot, "ffmpeg-invocations.log")
  ffmpegWrapper = Path.join(mediaRoot, "ffmpeg-counting.sh")
  await Fs.writeFile(
    ffmpegWrapper,
    `#!/bin/sh\necho started >> '${invocationLog}'\nexec ffmpeg "$@"\n`,
    { mode: 0o755 }
  )
})

afterAll(async () => {
  await Fs.rm(mediaRoot, { recursive: true, force: true })
})

describe("media.transcode of a 1080p source", () => {
  it.effect("writes every output in one ffmpeg run", () =>
    Effect.gen(function* () {
      const set = profileSets.default
      const outcome = yield* TestInputs.runWorker(
        TestInputs.testSettings(mediaRoot, { ffmpegPath: ffmpegWrapper }),
        "media.transcode",
        {
          sourcePath: "lecture.mp4",
          outputDirectory: "published/analysis/1/1",
          fileNamePrefix: "analysis-2026-10-14",
          renditions: set.renditions,
          audioProfile: set.audioProfile,
          hlsProfile: set.hlsProfile
        }
      )
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)

      const invocations = yield* Effect.promise(() => Fs.readFile(invocationLog, "utf8"))
      expect(invocations.trim().split("\n")).toEqual(["started"])

      const { files } = TestInputs.resultOf<MediaTranscodeOutput>(outcome)
      expect(files.map((file) => [file.profile, file.width, file.height])).toEqual([
        ["1080p", 1920, 1080],
        ["720p", 1280, 720],
        ["360p", 640, 360],
        ["audio", null, null],
        ["hls", 1920, 1080]
      ])
      const folder = Path.join(mediaRoot, "published/analysis/1/1")
      const published = yield* Effect.promise(() => TestInputs.filesBelow(folder))
      expect(published.filter((file) => !file.startsWith("hls/"))).toEqual([
        "analysis-2026-10-14-1080p.mp4",
        "analysis-2026-10-14-360p.mp4",
        "analysis-2026-10-14-720p.mp4",
        "analysis-2026-10-14-audio.m4a"
      ])
      for (const file of files) {
        expect(Math.abs(file.durationSeconds - 120), file.profile).toBeLessThanOrEqual(0.5)
      }

      const master = yield* Effect.promise(() =>
        Fs.readFile(Path.join(folder, "hls/master.m3u8"), "utf8")
      )
      expect(master.match(/RESOLUTION=\d+x\d+/g)).toEqual([
        "RESOLUTION=1920x1080",
        "RESOLUTION=1280x720",
        "RESOLUTION=640x360"
      ])
      expect(master).toContain('CODECS="avc1.')
      for (const profile of ["1080p", "720p", "360p"]) {
        const playlist = Path.join(folder, `hls/${profile}.m3u8`)
        const text = yield* Effect.promise(() => Fs.readFile(playlist, "utf8"))
        expect(text, profile).toContain("#EXT-X-PLAYLIST-TYPE:VOD")
        expect(text, profile).toContain(`#EXT-X-MAP:URI="${profile}-init.mp4"`)
        expect(text.match(/\.m4s/g)?.length, profile).toBe(60)
        const duration = yield* Effect.promise(() => TestInputs.durationOf(playlist))
        expect(Math.abs(duration - 120), profile).toBeLessThanOrEqual(0.5)
      }

      const percents = outcome.messages.flatMap((message) =>
        message.event === "progress" ? [message.percent] : []
      )
      expect(percents[0]).toBe(0)
      expect(percents.at(-1)).toBe(100)
      expect(percents.filter((percent) => percent > 0 && percent < 100).length).toBeGreaterThan(3)
      percents.slice(1).forEach((percent, index) => {
        expect(percent).toBeGreaterThanOrEqual(percents[index] ?? 0)
      })
    })
  )
})
