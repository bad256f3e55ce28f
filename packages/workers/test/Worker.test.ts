import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { WorkerExitCode, type MediaProbeOutput, type MediaTranscodeOutput } from "@videoag/domain"
import * as TestInputs from "./support/TestInputs.js"

let mediaRoot = ""
let outsideFolder = ""

beforeAll(async () => {
  mediaRoot = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-worker-test-"))
  outsideFolder = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-outside-"))
  await TestInputs.video(Path.join(mediaRoot, "talk.mp4"), { width: 640, height: 360, seconds: 2 })
  await TestInputs.video(Path.join(mediaRoot, "silent.mp4"), {
    width: 320,
    height: 240,
    seconds: 2,
    audio: false
  })
  await TestInputs.video(Path.join(outsideFolder, "secret.mp4"), {
    width: 160,
    height: 120,
    seconds: 1
  })
  await Fs.writeFile(Path.join(mediaRoot, "notes.mp4"), "These are my notes, not a video.\n")
  await Fs.symlink(Path.join(outsideFolder, "secret.mp4"), Path.join(mediaRoot, "escape.mp4"))
  await Fs.symlink(Path.join(mediaRoot, "talk.mp4"), Path.join(mediaRoot, "alias.mp4"))
  await Fs.mkdir(Path.join(mediaRoot, "folder.mp4"))
})

afterAll(async () => {
  await Fs.rm(mediaRoot, { recursive: true, force: true })
  await Fs.rm(outsideFolder, { recursive: true, force: true })
})

const run = (typeName: string, input: unknown, jobId = "1") =>
  TestInputs.runWorker(TestInputs.testSettings(mediaRoot), typeName, input, { jobId })

const errorOf = TestInputs.errorOf

describe("media.probe", () => {
  it.effect("reports streams and duration of a recording", () =>
    Effect.gen(function* () {
      const outcome = yield* run("media.probe", { sourcePath: "talk.mp4" })
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const output = TestInputs.resultOf<MediaProbeOutput>(outcome)
      expect(output.video).toMatchObject({
        codec: "h264",
        width: 640,
        height: 360,
        displayHeight: 360,
        colorTransfer: null
      })
      expect(output.audio).toMatchObject({ codec: "aac" })
      expect(output.durationSeconds).toBeGreaterThan(1.9)
      expect(output.durationSeconds).toBeLessThan(2.2)
    })
  )

  it.effect("rejects a text file named .mp4", () =>
    Effect.gen(function* () {
      const outcome = yield* run("media.probe", { sourcePath: "notes.mp4" })
      expect(outcome.exitCode).toBe(WorkerExitCode.mediaRejected)
      expect(errorOf(outcome)?.code).toBe("not_media")
      expect(errorOf(outcome)?.message).toContain('"notes.mp4"')
      expect(errorOf(outcome)?.message).toContain("not a media file")
      expect(errorOf(outcome)?.retryable).toBe(false)
    })
  )
  it.effect("rejects a symbolic link that leaves the media root", () =>
    Effect.gen(function* () {
      const outcome = yield* run("media.probe", { sourcePath: "escape.mp4" })
      expect(outcome.exitCode).toBe(WorkerExitCode.inputRejected)
      expect(errorOf(outcome)?.code).toBe("source_path_outside_media_root")
    })
  )

  it.effect("follows a symbolic link that stays inside", () =>
    Effect.gen(function* () {
      const { exitCode } = yield* run("media.probe", { sourcePath: "alias.mp4" })
      expect(exitCode).toBe(WorkerExitCode.succeeded)
    })
  )

  it.effect("rejects path problems with their own codes", () =>
    Effect.gen(function* () {
      const cases = [
        ["../talk.mp4", "source_path_outside_media_root"],
        ["/etc/hostname", "source_path_invalid"],
        ["missing.mp4", "source_file_not_found"],
        ["folder.mp4", "source_path_not_a_file"]
      ] as const
      for (const [sourcePath, code] of cases) {
        const outcome = yield* run("media.probe", { sourcePath })
        expect(outcome.exitCode, sourcePath).toBe(WorkerExitCode.inputRejected)
        expect(errorOf(outcome)?.code, sourcePath).toBe(code)
      }
    })
  )

  it.effect("rejects an unknown job type and invalid input before touching files", () =>
    Effect.gen(function* () {
      const unknown = yield* run("media.explode", { sourcePath: "talk.mp4" })
      expect(unknown.exitCode).toBe(WorkerExitCode.inputRejected)
      expect(errorOf(unknown)?.code).toBe("unknown_job_type")

      const missingField = yield* run("media.probe", {})
      expect(missingField.exitCode).toBe(WorkerExitCode.inputRejected)
      expect(errorOf(missingField)?.message).toContain("sourcePath")

      const extraField = yield* run("media.probe", {
        sourcePath: "talk.mp4",
        deleteEverything: true
      })
      expect(errorOf(extraField)?.code).toBe("input_invalid")
      expect(errorOf(extraField)?.message).toContain("deleteEverything")

      const notJson = yield* run("media.probe", "{not json")
      expect(errorOf(notJson)?.code).toBe("input_invalid")
    })
  )
})

describe("media.transcode", () => {
  const transcodeInput = (sourcePath: string, outputDirectory: string) => ({
    sourcePath,
    outputDirectory,
    fileNamePrefix: "talk",
    renditions: [
      { profile: "720p", height: 720 },
      { profile: "360p", height: 360 }
    ],
    audioProfile: "audio"
  })

  it.effect("writes renditions up to the source height and an audio file", () =>
    Effect.gen(function* () {
      const outcome = yield* run(
        "media.transcode",
        transcodeInput("talk.mp4", "published/talk"),
        "20"
      )
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const { files } = TestInputs.resultOf<MediaTranscodeOutput>(outcome)
      expect(files.map((file) => file.profile)).toEqual(["360p", "audio"])
      expect(files[0]).toMatchObject({
        path: "published/talk/talk-360p.mp4",
        mimeType: "video/mp4",
        width: 640,
        height: 360
      })
      expect(files[1]).toMatchObject({
        path: "published/talk/talk-audio.m4a",
        mimeType: "audio/mp4",
        width: null
      })
      expect(outcome.messages.some((message) => message.event === "progress")).toBe(true)

      const published = yield* Effect.promise(() =>
        TestInputs.filesBelow(Path.join(mediaRoot, "published/talk"))
      )
      expect(published).toEqual(["talk-360p.mp4", "talk-audio.m4a"])
      const video = yield* Effect.promise(() =>
        TestInputs.probe(Path.join(mediaRoot, "published/talk/talk-360p.mp4"))
      )
      expect(video.streams.map((stream) => stream.codec_name).sort()).toEqual(["aac", "h264"])
      const work = yield* Effect.promise(() => Fs.readdir(Path.join(mediaRoot, ".videoag-work")))
      expect(work.filter((entry) => entry.startsWith("job-20-"))).toEqual([])
    })
  )

  it.effect("writes no audio file for a source without audio", () =>
    Effect.gen(function* () {
      const outcome = yield* run(
        "media.transcode",
        transcodeInput("silent.mp4", "published/silent"),
        "21"
      )
      expect(outcome.exitCode).toBe(WorkerExitCode.succeeded)
      const { files } = TestInputs.resultOf<MediaTranscodeOutput>(outcome)
      expect(files.map((file) => file.profile)).toEqual(["360p"])
      // 240 lines is below every requested rendition, so the smallest one is made at 240 lines.
      expect(files[0]).toMatchObject({ width: 320, height: 240 })
    })
  )

  it.effect("leaves nothing behind when the source is not media", () =>
    Effect.gen(function* () {
      const outcome = yield* run(
        "media.transcode",
        transcodeInput("notes.mp4", "published/notes"),
        "22"
      )
      expect(outcome.exitCode).toBe(WorkerExitCode.mediaRejected)
      expect(errorOf(outcome)?.code).toBe("not_media")
      const exists = yield* Effect.promise(() =>
        TestInputs.exists(Path.join(mediaRoot, "published/notes"))
      )
      expect(exists).toBe(false)
      const notes = yield* Effect.promise(() =>
        Fs.readFile(Path.join(mediaRoot, "notes.mp4"), "utf8")
      )
      expect(notes).toBe("These are my notes, not a video.\n")
    })
  )
})
