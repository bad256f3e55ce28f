import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { WorkerExitCode, type WorkerMessage } from "@videoag/domain"
import * as WorkerChannel from "../src/WorkerChannel.js"
import * as WorkerConfig from "../src/WorkerConfig.js"
import { runJob } from "../src/Worker.js"
import { testSettings } from "./support/TestInputs.js"

let mediaRoot = ""
let outsideFolder = ""

const write = async (relative: string, content: string) => {
  await Fs.mkdir(Path.dirname(Path.join(mediaRoot, relative)), { recursive: true })
  await Fs.writeFile(Path.join(mediaRoot, relative), content)
}

const exists = (relative: string) =>
  Fs.access(Path.join(mediaRoot, relative)).then(
    () => true,
    () => false
  )

beforeAll(async () => {
  mediaRoot = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-relocate-"))
  outsideFolder = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-relocate-outside-"))
})

afterAll(async () => {
  await Fs.rm(mediaRoot, { recursive: true, force: true })
  await Fs.rm(outsideFolder, { recursive: true, force: true })
})

const relocate = (moves: ReadonlyArray<{ from: string; to: string }>) =>
  Effect.gen(function* () {
    const messages = yield* Ref.make<ReadonlyArray<WorkerMessage>>([])
    const exitCode = yield* runJob({
      typeName: "media.relocate",
      rawInput: JSON.stringify({ moves }),
      jobId: "7",
      attempt: "1"
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          WorkerChannel.layerRecording(messages),
          WorkerConfig.layerWith(testSettings(mediaRoot)),
          NodeContext.layer
        )
      )
    )
    const final = (yield* Ref.get(messages)).at(-1)
    return { exitCode, final }
  })

describe("media.relocate", () => {
  it.effect("moves a file and removes emptied folders", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => write("published/public/ana/1/2/ana-720p.mp4", "video"))
      const move = {
        from: "published/public/ana/1/2/ana-720p.mp4",
        to: "published/protected/ana/1/2/ana-720p.mp4"
      }
      const { exitCode, final } = yield* relocate([move])
      expect(exitCode).toBe(WorkerExitCode.succeeded)
      expect(final).toEqual({ event: "result", output: { moved: [move], missing: [] } })
      expect(yield* Effect.promise(() => exists(move.to))).toBe(true)
      expect(yield* Effect.promise(() => exists(move.from))).toBe(false)
      expect(yield* Effect.promise(() => exists("published/public/ana"))).toBe(false)
      expect(yield* Effect.promise(() => exists("published/public"))).toBe(true)
    })
  )

  it.effect("counts a move found done as moved and a lost file as missing", () =>
    Effect.gen(function* () {
      const done = {
        from: "published/public/ana/1/2/ana-720p.mp4",
        to: "published/protected/ana/1/2/ana-720p.mp4"
      }
      const lost = { from: "published/public/gone.mp4", to: "published/protected/gone.mp4" }
      const { exitCode, final } = yield* relocate([done, lost])
      expect(exitCode).toBe(WorkerExitCode.succeeded)
      expect(final).toEqual({ event: "result", output: { moved: [done], missing: [lost] } })
    })
  )

  it.effect("merges a folder into an existing target folder", () =>
    Effect.gen(function* () {
      yield* Effect.promise(async () => {
        await write("published/protected/la/3/4/hls/index.m3u8", "#EXTM3U")
        await write("published/protected/la/3/4/hls/segment-1.m4s", "one")
        await write("published/public/la/3/4/hls/segment-2.m4s", "two")
      })
      const move = { from: "published/protected/la/3/4/hls", to: "published/public/la/3/4/hls" }
      const { exitCode } = yield* relocate([move])
      expect(exitCode).toBe(WorkerExitCode.succeeded)
      const names = yield* Effect.promise(() =>
        Fs.readdir(Path.join(mediaRoot, "published/public/la/3/4/hls"))
      )
      expect(names.sort()).toEqual(["index.m3u8", "segment-1.m4s", "segment-2.m4s"])
      expect(yield* Effect.promise(() => exists("published/protected/la"))).toBe(false)
    })
  )

  it.effect("rejects paths outside the published folder", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => write("lectures/raw.mp4", "raw"))
      for (const move of [
        { from: "lectures/raw.mp4", to: "published/public/raw.mp4" },
        { from: "published/public/x.mp4", to: "../x.mp4" },
        { from: "/etc/passwd", to: "published/public/passwd" }
      ]) {
        const { exitCode, final } = yield* relocate([move])
        expect(exitCode, JSON.stringify(move)).toBe(WorkerExitCode.inputRejected)
        expect(final?.event === "error" ? final.error.code : undefined).toBe(
          "relocate_path_invalid"
        )
      }
      expect(yield* Effect.promise(() => exists("lectures/raw.mp4"))).toBe(true)
    })
  )

  it.effect("rejects a symbolic link leaving the media root", () =>
    Effect.gen(function* () {
      yield* Effect.promise(async () => {
        await Fs.writeFile(Path.join(outsideFolder, "secret.mp4"), "secret")
        await Fs.mkdir(Path.join(mediaRoot, "published/public/evil"), { recursive: true })
        await Fs.symlink(
          Path.join(outsideFolder, "secret.mp4"),
          Path.join(mediaRoot, "published/public/evil/link.mp4")
        )
      })
      const { exitCode, final } = yield* relocate([
        { from: "published/public/evil/link.mp4", to: "published/protected/evil/link.mp4" }
      ])
      expect(exitCode).toBe(WorkerExitCode.inputRejected)
      expect(final?.event === "error" ? final.error.code : undefined).toBe(
        "relocate_path_outside_media_root"
      )
    })
  )
})
