/**
 * Every kind of messy input a real recording can be, each generated small with lavfi, run
 * through `media.transcode` with the default profile set's outputs, and checked with ffprobe.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { profileSets, WorkerExitCode, type MediaTranscodeOutput } from "@videoag/domain"
import * as TestInputs from "./support/TestInputs.js"

let mediaRoot = ""
const source = (name: string) => Path.join(mediaRoot, "incoming", name)
const nonAsciiName = "Vorlesung Übung 3 – Größenordnung (Tafel).mp4"

beforeAll(async () => {
  mediaRoot = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-messy-"))
  await Promise.all([
    TestInputs.video(source("no-audio.mp4"), { width: 320, height: 240, seconds: 2, audio: false }),
    TestInputs.audio(source("lecture.mp3"), { seconds: 2 }),
    TestInputs.audio(source("lecture.aac"), { seconds: 2 }),
    TestInputs.audio(source("podcast-with-cover.mp3"), { seconds: 2, cover: true }),
    // 4:4:4, as screen recorders write it: 4:2:0 could not even store an odd size.
    TestInputs.video(source("odd-size.mp4"), {
      width: 1164,
      height: 767,
      seconds: 1,
      pixelFormat: "yuv444p",
      pattern: "testsrc"
    }),
    TestInputs.rotatedVideo(source("phone.mp4")),
    TestInputs.video(source("ten-bit.mp4"), {
      width: 320,
      height: 240,
      seconds: 2,
      pixelFormat: "yuv420p10le"
    }),
    TestInputs.video(source("hdr.mp4"), {
      width: 320,
      height: 240,
      seconds: 1,
      pixelFormat: "yuv420p10le",
      extra: ["-color_trc", "smpte2084", "-color_primaries", "bt2020", "-colorspace", "bt2020nc"]
    }),
    TestInputs.video(source("interlaced.mp4"), {
      width: 320,
      height: 240,
      seconds: 1,
      extra: ["-flags", "+ildct+ilme", "-x264-params", "interlaced=1:tff=1"]
    }),
    TestInputs.video(source("short.mp4"), { width: 320, height: 180, seconds: 1.5 }),
    TestInputs.video(source(nonAsciiName), { width: 320, height: 180, seconds: 1 }),
    TestInputs.video(source("complete.mp4"), { width: 320, height: 180, seconds: 4 }),
    TestInputs.video(source("complete-faststart.mp4"), {
      width: 320,
      height: 180,
      seconds: 8,
      faststart: true
    })
  ])
  await TestInputs.withCoverTrack(source("complete.mp4"), source("cover-track-first.mkv"))
  await TestInputs.video(source("audio-ends-early.mp4"), {
    width: 320,
    height: 180,
    seconds: 4,
    extra: ["-af", "atrim=0:1.5"]
  })
  // 30 frames per second for one second, then 10: a variable frame rate as phones record it.
  await TestInputs.video(source("variable-rate.mp4"), {
    width: 320,
    height: 180,
    seconds: 2,
    frameRate: 30,
    audio: false,
    extra: ["-vf", "select='lt(t,1)+not(mod(n,3))'", "-fps_mode", "vfr"]
  })
  await TestInputs.truncatedCopy(source("complete.mp4"), source("truncated.mp4"))
  await TestInputs.truncatedCopy(
    source("complete-faststart.mp4"),
    source("truncated-faststart.mp4")
  )
  await Fs.writeFile(source("empty.mp4"), "")
  await Fs.writeFile(source("notes.mp4"), "Slides are on the course page.\n")
})

afterAll(async () => {
  await Fs.rm(mediaRoot, { recursive: true, force: true })
})

const defaults = profileSets.default
let nextJobId = 100

const transcode = (
  name: string,
  profileSet: typeof defaults | (typeof profileSets)["audio-only"] = defaults
) => {
  const jobId = String(nextJobId++)
  return Effect.map(
    TestInputs.runWorker(
      TestInputs.testSettings(mediaRoot),
      "media.transcode",
      {
        sourcePath: `incoming/${name}`,
        outputDirectory: `published/job-${jobId}`,
        fileNamePrefix: "lecture",
        renditions: profileSet.renditions,
        audioProfile: profileSet.audioProfile,
        hlsProfile: profileSet.hlsProfile
      },
      { jobId }
    ),
    (outcome) => ({ outcome, jobId, folder: Path.join(mediaRoot, `published/job-${jobId}`) })
  )
}

const sourceDuration = (name: string) => Effect.promise(() => TestInputs.durationOf(source(name)))

/** Checks a published video: H.264 yuv420p, even square-pixel size, upright, duration. */
const expectPlayableVideo = (
  path: string,
  expected: {
    readonly width: number
    readonly height: number
    readonly audio: boolean
    readonly durationSeconds: number
  }
) =>
  Effect.gen(function* () {
    const report = yield* Effect.promise(() => TestInputs.probe(path))
    const video = report.streams.find((stream) => stream.codec_type === "video")
    const audio = report.streams.find((stream) => stream.codec_type === "audio")
    expect(video?.codec_name, path).toBe("h264")
    expect(video?.pix_fmt, path).toBe("yuv420p")
    expect(video?.width, path).toBe(expected.width)
    expect(video?.height, path).toBe(expected.height)
    expect((video?.width ?? 1) % 2, path).toBe(0)
    expect((video?.height ?? 1) % 2, path).toBe(0)
    expect(["1:1", undefined], path).toContain(video?.sample_aspect_ratio)
    expect(video?.side_data_list ?? [], path).toEqual([])
    expect(audio !== undefined, path).toBe(expected.audio)
    if (audio !== undefined) {
      expect(audio.codec_name, path).toBe("aac")
      expect(audio.channels, path).toBe(2)
    }
    expect(
      Math.abs(Number(report.format.duration) - expected.durationSeconds),
      path
    ).toBeLessThanOrEqual(0.5)
  })

const expectAudioFile = (path: string, durationSeconds: number) =>
  Effect.gen(function* () {
    const report = yield* Effect.promise(() => TestInputs.probe(path))
    expect(
      report.streams.map((stream) => stream.codec_type),
      path
    ).toEqual(["audio"])
    expect(report.streams[0]?.codec_name, path).toBe("aac")
    expect(report.streams[0]?.channels, path).toBe(2)
    expect(Math.abs(Number(report.format.duration) - durationSeconds), path).toBeLessThanOrEqual(
      0.5
    )
  })

describe("media.transcode of messy inputs", () => {
  it.effect("video without audio gets no audio track", () =>
    Effect.gen(function* () {
      const { outcome, folder } = yield* transcode("no-audio.mp4")
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const { files } = TestInputs.resultOf<MediaTranscodeOutput>(outcome)
      expect(files.map((file) => file.profile)).toEqual(["360p", "hls"])
      const duration = yield* sourceDuration("no-audio.mp4")
      yield* expectPlayableVideo(Path.join(folder, "lecture-360p.mp4"), {
        width: 320,
        height: 240,
        audio: false,
        durationSeconds: duration
      })
      const master = yield* Effect.promise(() =>
        Fs.readFile(Path.join(folder, "hls/master.m3u8"), "utf8")
      )
      expect(master).toMatch(/CODECS="avc1\.[0-9a-f]{6}"/)
    })
  )

  for (const name of ["lecture.mp3", "lecture.aac", "podcast-with-cover.mp3"]) {
    it.effect(`audio-only ${name} becomes an audio file`, () =>
      Effect.gen(function* () {
        const { outcome, folder } = yield* transcode(name)
        expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
        const { files } = TestInputs.resultOf<MediaTranscodeOutput>(outcome)
        expect(files.map((file) => file.profile)).toEqual(["audio"])
        expect(files[0]).toMatchObject({ mimeType: "audio/mp4", width: null, height: null })
        expect(yield* Effect.promise(() => TestInputs.filesBelow(folder))).toEqual([
          "lecture-audio.m4a"
        ])
        yield* expectAudioFile(Path.join(folder, "lecture-audio.m4a"), yield* sourceDuration(name))
      })
    )
  }

  it.effect("odd width and height give even renditions", () =>
    Effect.gen(function* () {
      const input = yield* Effect.promise(() => TestInputs.probe(source("odd-size.mp4")))
      expect(input.streams[0]).toMatchObject({ width: 1164, height: 767 })
      const { outcome, folder } = yield* transcode("odd-size.mp4")
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const { files } = TestInputs.resultOf<MediaTranscodeOutput>(outcome)
      // 767 lines allow no 1080p, and 720p and 360p keep the 1164:767 shape with even sizes.
      expect(files.map((file) => [file.profile, file.width, file.height])).toEqual([
        ["720p", 1092, 720],
        ["360p", 546, 360],
        ["audio", null, null],
        ["hls", 1092, 720]
      ])
      const duration = yield* sourceDuration("odd-size.mp4")
      yield* expectPlayableVideo(Path.join(folder, "lecture-720p.mp4"), {
        width: 1092,
        height: 720,
        audio: true,
        durationSeconds: duration
      })
      yield* expectPlayableVideo(Path.join(folder, "lecture-360p.mp4"), {
        width: 546,
        height: 360,
        audio: true,
        durationSeconds: duration
      })
    })
  )

  it.effect("phone video with a display matrix comes out upright", () =>
    Effect.gen(function* () {
      const { outcome, folder } = yield* transcode("phone.mp4")
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const { files } = TestInputs.resultOf<MediaTranscodeOutput>(outcome)
      expect(files[0]).toMatchObject({ profile: "360p", width: 180, height: 320 })
      const output = Path.join(folder, "lecture-360p.mp4")
      yield* expectPlayableVideo(output, {
        width: 180,
        height: 320,
        audio: true,
        durationSeconds: yield* sourceDuration("phone.mp4")
      })
      const colours = yield* Effect.promise(() => TestInputs.topAndBottomColours(output))
      // Blue on top and red at the bottom is the stored picture turned counter-clockwise.
      expect(colours.top[2]).toBeGreaterThan(200)
      expect(colours.top[0]).toBeLessThan(60)
      expect(colours.bottom[0]).toBeGreaterThan(200)
      expect(colours.bottom[2]).toBeLessThan(60)
    })
  )

  for (const name of ["ten-bit.mp4", "hdr.mp4", "interlaced.mp4"]) {
    it.effect(`${name} becomes 8-bit progressive yuv420p`, () =>
      Effect.gen(function* () {
        const { outcome, folder } = yield* transcode(name)
        expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
        yield* expectPlayableVideo(Path.join(folder, "lecture-360p.mp4"), {
          width: 320,
          height: 240,
          audio: true,
          durationSeconds: yield* sourceDuration(name)
        })
      })
    )
  }

  it.effect("still-image track before the video is skipped", () =>
    Effect.gen(function* () {
      const input = yield* Effect.promise(() => TestInputs.probe(source("cover-track-first.mkv")))
      expect(input.streams.map((stream) => stream.codec_name)).toEqual(["png", "h264", "aac"])
      const { outcome, folder } = yield* transcode("cover-track-first.mkv")
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      yield* expectPlayableVideo(Path.join(folder, "lecture-360p.mp4"), {
        width: 320,
        height: 180,
        audio: true,
        durationSeconds: yield* sourceDuration("cover-track-first.mkv")
      })
    })
  )

  it.effect("audio that ends before the picture is kept", () =>
    Effect.gen(function* () {
      const { outcome, folder } = yield* transcode("audio-ends-early.mp4")
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      yield* expectPlayableVideo(Path.join(folder, "lecture-360p.mp4"), {
        width: 320,
        height: 180,
        audio: true,
        durationSeconds: yield* sourceDuration("audio-ends-early.mp4")
      })
      const audio = yield* Effect.promise(() =>
        TestInputs.durationOf(Path.join(folder, "lecture-audio.m4a"))
      )
      expect(Math.abs(audio - 1.5)).toBeLessThanOrEqual(0.5)
    })
  )

  it.effect("variable frame rate keeps its frames", () =>
    Effect.gen(function* () {
      const { outcome, folder } = yield* transcode("variable-rate.mp4")
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const output = Path.join(folder, "lecture-360p.mp4")
      yield* expectPlayableVideo(output, {
        width: 320,
        height: 180,
        audio: false,
        durationSeconds: yield* sourceDuration("variable-rate.mp4")
      })
      // A constant 30 frames per second would have doubled the 40 frames.
      expect(yield* Effect.promise(() => TestInputs.frameCount(output))).toBe(
        yield* Effect.promise(() => TestInputs.frameCount(source("variable-rate.mp4")))
      )
    })
  )

  it.effect("video shorter than the poster offset transcodes", () =>
    Effect.gen(function* () {
      const { outcome, folder } = yield* transcode("short.mp4")
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      yield* expectPlayableVideo(Path.join(folder, "lecture-360p.mp4"), {
        width: 320,
        height: 180,
        audio: true,
        durationSeconds: yield* sourceDuration("short.mp4")
      })
    })
  )

  it.effect("file name with spaces and umlauts transcodes", () =>
    Effect.gen(function* () {
      const { outcome, folder } = yield* transcode(nonAsciiName)
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      yield* expectPlayableVideo(Path.join(folder, "lecture-360p.mp4"), {
        width: 320,
        height: 180,
        audio: true,
        durationSeconds: yield* sourceDuration(nonAsciiName)
      })
    })
  )

  it.effect("audio-only profile set takes only the sound of a video", () =>
    Effect.gen(function* () {
      const { outcome, folder } = yield* transcode("short.mp4", profileSets["audio-only"])
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      expect(yield* Effect.promise(() => TestInputs.filesBelow(folder))).toEqual([
        "lecture-audio.m4a"
      ])
      yield* expectAudioFile(
        Path.join(folder, "lecture-audio.m4a"),
        yield* sourceDuration("short.mp4")
      )
    })
  )

  const rejected = [
    ["truncated.mp4", "source_truncated", "incomplete"],
    ["truncated-faststart.mp4", "source_truncated", "ends early"],
    ["empty.mp4", "source_file_empty", "empty (0 bytes)"],
    ["notes.mp4", "not_media", "not a media file"]
  ] as const
  for (const [name, code, wording] of rejected) {
    it.effect(`${name} fails with ${code} and leaves nothing`, () =>
      Effect.gen(function* () {
        const { outcome, folder, jobId } = yield* transcode(name)
        expect(outcome.exitCode).toBe(WorkerExitCode.mediaRejected)
        const error = TestInputs.errorOf(outcome)
        expect(error?.code).toBe(code)
        expect(error?.message).toContain(JSON.stringify(`incoming/${name}`))
        expect(error?.message).toContain(wording)
        expect(error?.retryable).toBe(false)
        expect(yield* Effect.promise(() => TestInputs.exists(folder))).toBe(false)
        const work = yield* Effect.promise(() =>
          TestInputs.filesBelow(Path.join(mediaRoot, ".videoag-work"))
        )
        expect(work.filter((file) => file.startsWith(`job-${jobId}-`))).toEqual([])
      })
    )
  }
})
