import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { WorkerExitCode, type WorkerMessage } from "@videoag/domain"
import { TestMedia } from "@videoag/domain/testing"
import * as WorkerChannel from "../src/WorkerChannel.js"
import * as WorkerConfig from "../src/WorkerConfig.js"
import { runJob } from "../src/Worker.js"

let mediaRoot = ""
let outsideFolder = ""

beforeAll(async () => {
  mediaRoot = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-worker-test-"))
  outsideFolder = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-outside-"))
  await TestMedia.generateRecording(Path.join(mediaRoot, "talk.mp4"), {
    width: 640,
    height: 360,
    seconds: 2
  })
  await TestMedia.generateRecording(Path.join(mediaRoot, "silent.mp4"), {
    width: 320,
    height: 240,
    seconds: 2,
    audio: false
  })
  await TestMedia.generateRecording(Path.join(outsideFolder, "secret.mp4"), {
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
  Effect.gen(function* () {
    const messages = yield* Ref.make<ReadonlyArray<WorkerMessage>>([])
    const exitCode = yield* runJob({
      typeName,
      rawInput: typeof input === "string" ? input : JSON.stringify(input),
      jobId,
      attempt: "1"
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          WorkerChannel.layerRecording(messages),
          WorkerConfig.layerWith({
            mediaRoot,
            ffmpegPath: "ffmpeg",
            ffprobePath: "ffprobe",
            encoder: { preset: "ultrafast", crf: 30, audioBitrateKbps: 64, threads: 2 }
          }),
          NodeContext.layer
        )
      )
    )
    const all = yield* Ref.get(messages)
    return { exitCode, messages: all, final: all.at(-1) }
  })

const errorOf = (message: WorkerMessage | undefined) =>
  message?.event === "error" ? message.error : undefined

describe("media.probe", () => {
  it.effect("reports streams and duration of a recording", () =>
    Effect.gen(function* () {
      const { exitCode, final } = yield* run("media.probe", { sourcePath: "talk.mp4" })
      expect(exitCode).toBe(WorkerExitCode.succeeded)
      expect(final?.event).toBe("result")
      const output = final?.event === "result" ? (final.output as Record<string, unknown>) : {}
      expect(output["video"]).toMatchObject({
        codec: "h264",
        width: 640,
        height: 360,
        displayHeight: 360
      })
      expect(output["audio"]).toMatchObject({ codec: "aac" })
      expect(output["durationSeconds"]).toBeGreaterThan(1.9)
      expect(output["durationSeconds"]).toBeLessThan(2.2)
    })
  )

  it.effect("rejects a text file named .mp4", () =>
    Effect.gen(function* () {
      const { exitCode, final } = yield* run("media.probe", { sourcePath: "notes.mp4" })
      expect(exitCode).toBe(WorkerExitCode.mediaRejected)
      expect(errorOf(final)?.code).toBe("not_media")
      expect(errorOf(final)?.message).toContain('"notes.mp4"')
      expect(errorOf(final)?.message).toContain("not a media file")
      expect(errorOf(final)?.retryable).toBe(false)
    })
  )

  it.effect("rejects a symbolic link that leaves the media root", () =>
    Effect.gen(function* () {
      const { exitCode, final } = yield* run("media.probe", { sourcePath: "escape.mp4" })
      expect(exitCode).toBe(WorkerExitCode.inputRejected)
      expect(errorOf(final)?.code).toBe("source_path_outside_media_root")
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
        const { exitCode, final } = yield* run("media.probe", { sourcePath })
        expect(exitCode, sourcePath).toBe(WorkerExitCode.inputRejected)
        expect(errorOf(final)?.code, sourcePath).toBe(code)
      }
    })
  )

  it.effect("rejects an unknown job type and invalid input before touching files", () =>
    Effect.gen(function* () {
      const unknown = yield* run("media.explode", { sourcePath: "talk.mp4" })
      expect(unknown.exitCode).toBe(WorkerExitCode.inputRejected)
      expect(errorOf(unknown.final)?.code).toBe("unknown_job_type")

      const missingField = yield* run("media.probe", {})
      expect(missingField.exitCode).toBe(WorkerExitCode.inputRejected)
      expect(errorOf(missingField.final)?.message).toContain("sourcePath")

      const extraField = yield* run("media.probe", {
        sourcePath: "talk.mp4",
        deleteEverything: true
      })
      expect(errorOf(extraField.final)?.code).toBe("input_invalid")
      expect(errorOf(extraField.final)?.message).toContain("deleteEverything")

      const notJson = yield* run("media.probe", "{not json")
      expect(errorOf(notJson.final)?.code).toBe("input_invalid")
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
      const { exitCode, final, messages } = yield* run(
        "media.transcode",
        transcodeInput("talk.mp4", "published/talk"),
        "20"
      )
      expect(exitCode).toBe(WorkerExitCode.succeeded)
      const files =
        final?.event === "result"
          ? (final.output as { files: Array<Record<string, unknown>> }).files
          : []
      expect(files.map((file) => file["profile"])).toEqual(["360p", "audio"])
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
      expect(messages.some((message) => message.event === "progress")).toBe(true)

      const published = yield* Effect.promise(() =>
        Fs.readdir(Path.join(mediaRoot, "published/talk"))
      )
      expect(published.sort()).toEqual(["talk-360p.mp4", "talk-audio.m4a"])
      const video = yield* Effect.promise(() =>
        TestMedia.probe(Path.join(mediaRoot, "published/talk/talk-360p.mp4"))
      )
      expect(video.streams.map((stream) => stream.codec_name).sort()).toEqual(["aac", "h264"])
      const work = yield* Effect.promise(() => Fs.readdir(Path.join(mediaRoot, ".videoag-work")))
      expect(work.filter((entry) => entry.startsWith("job-20-"))).toEqual([])
    })
  )

  it.effect("writes no audio file for a source without audio", () =>
    Effect.gen(function* () {
      const { exitCode, final } = yield* run(
        "media.transcode",
        transcodeInput("silent.mp4", "published/silent"),
        "21"
      )
      expect(exitCode).toBe(WorkerExitCode.succeeded)
      const files =
        final?.event === "result"
          ? (final.output as { files: Array<Record<string, unknown>> }).files
          : []
      expect(files.map((file) => file["profile"])).toEqual(["360p"])
      // 240 lines is below every requested rendition, so the smallest one is made at 240 lines.
      expect(files[0]).toMatchObject({ width: 320, height: 240 })
    })
  )

  it.effect("leaves nothing behind when the source is not media", () =>
    Effect.gen(function* () {
      const { exitCode, final } = yield* run(
        "media.transcode",
        transcodeInput("notes.mp4", "published/notes"),
        "22"
      )
      expect(exitCode).toBe(WorkerExitCode.mediaRejected)
      expect(errorOf(final)?.code).toBe("not_media")
      const exists = yield* Effect.promise(() =>
        Fs.stat(Path.join(mediaRoot, "published/notes")).then(
          () => true,
          () => false
        )
      )
      expect(exists).toBe(false)
      const notes = yield* Effect.promise(() =>
        Fs.readFile(Path.join(mediaRoot, "notes.mp4"), "utf8")
      )
      expect(notes).toBe("These are my notes, not a video.\n")
    })
  )
})
