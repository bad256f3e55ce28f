import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import * as FileProvider from "../src/FileProvider.js"
import { temporaryFolder } from "./support/Harness.js"

const setUp = Effect.gen(function* () {
  const mediaRoot = yield* temporaryFolder("videoag-provider-")
  const outside = yield* temporaryFolder("videoag-provider-outside-")
  yield* Effect.promise(async () => {
    await Fs.mkdir(Path.join(mediaRoot, "published/public/course/1"), { recursive: true })
    await Fs.writeFile(
      Path.join(mediaRoot, "published/public/course/1/talk-720p.mp4"),
      Buffer.from("0123456789abcdef")
    )
    await Fs.writeFile(Path.join(mediaRoot, "published/public/course/1/talk.m4a"), "audio")
    await Fs.writeFile(
      Path.join(mediaRoot, "published/public/course/1/Vorlesung Übung.mp4"),
      "umlaut"
    )
    await Fs.writeFile(Path.join(mediaRoot, "raw.mp4"), "raw recording")
    await Fs.writeFile(Path.join(outside, "secret.mp4"), "secret")
    await Fs.symlink(
      Path.join(outside, "secret.mp4"),
      Path.join(mediaRoot, "published/public/course/1/leak.mp4")
    )
    await Fs.symlink(Path.join(outside, "secret.mp4"), Path.join(mediaRoot, "escape.mp4"))
    await Fs.symlink(Path.join(mediaRoot, "raw.mp4"), Path.join(mediaRoot, "alias.mp4"))
    await Fs.mkdir(Path.join(mediaRoot, "incoming"))
    await Fs.mkdir(Path.join(mediaRoot, ".videoag-work/job-1-1"), { recursive: true })
    await Fs.writeFile(Path.join(mediaRoot, ".videoag-work/job-1-1/part.mp4"), "partial")
  })
  const provider = yield* FileProvider.start({
    mediaRoot,
    host: "127.0.0.1",
    port: 0,
    secureLinkSecret: Redacted.make("file-provider-test-secret")
  })
  return { provider, mediaRoot }
})

const request = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, body: await response.text() }
  })

describe("FileProvider", () => {
  it.scopedLive("serves published files with their MIME type and byte ranges", () =>
    Effect.gen(function* () {
      const { provider } = yield* setUp
      const full = yield* request(`${provider.url}/published/public/course/1/talk-720p.mp4`)
      expect(full.status).toBe(200)
      expect(full.body).toBe("0123456789abcdef")
      expect(full.headers.get("content-type")).toBe("video/mp4")
      expect(full.headers.get("accept-ranges")).toBe("bytes")

      const part = yield* request(`${provider.url}/published/public/course/1/talk-720p.mp4`, {
        headers: { range: "bytes=2-5" }
      })
      expect(part.status).toBe(206)
      expect(part.body).toBe("2345")
      expect(part.headers.get("content-range")).toBe("bytes 2-5/16")

      const suffix = yield* request(`${provider.url}/published/public/course/1/talk-720p.mp4`, {
        headers: { range: "bytes=-3" }
      })
      expect(suffix.body).toBe("def")
      const open = yield* request(`${provider.url}/published/public/course/1/talk-720p.mp4`, {
        headers: { range: "bytes=14-" }
      })
      expect(open.body).toBe("ef")
      const beyond = yield* request(`${provider.url}/published/public/course/1/talk-720p.mp4`, {
        headers: { range: "bytes=16-20" }
      })
      expect(beyond.status).toBe(416)
      expect(beyond.headers.get("content-range")).toBe("bytes */16")

      const audio = yield* request(`${provider.url}/published/public/course/1/talk.m4a`)
      expect(audio.headers.get("content-type")).toBe("audio/mp4")
      const umlaut = yield* request(
        `${provider.url}/published/public/course/1/${encodeURIComponent("Vorlesung Übung.mp4")}`
      )
      expect(umlaut.body).toBe("umlaut")
      const head = yield* request(`${provider.url}/published/public/course/1/talk-720p.mp4`, {
        method: "HEAD"
      })
      expect([head.status, head.headers.get("content-length"), head.body]).toEqual([200, "16", ""])
    })
  )

  it.scopedLive(
    "never serves raw recordings, work folders or links that leave the media root",
    () =>
      Effect.gen(function* () {
        const { provider } = yield* setUp
        for (const path of [
          "/raw.mp4",
          "/published/public/course/1/leak.mp4",
          "/published/../raw.mp4",
          "/published/course/1/talk-720p.mp4",
          "/published/%2e%2e/raw.mp4",
          "/published/public/course/1/missing.mp4",
          "/published/public/course",
          "/.videoag-work/job-1-1/part.mp4",
          "/published/public/course/1/%00.mp4"
        ]) {
          const response = yield* request(`${provider.url}${path}`)
          expect(response.status, path).toBe(404)
          expect(response.body, path).toBe("")
        }
        const post = yield* request(`${provider.url}/published/public/course/1/talk-720p.mp4`, {
          method: "POST"
        })
        expect(post.status).toBe(405)
      })
  )

  it.scopedLive("answers source-file checks by HEAD only", () =>
    Effect.gen(function* () {
      const { provider } = yield* setUp
      const check = (path: string) =>
        request(`${provider.sourceFileCheckUrl}/${path}`, { method: "HEAD" })
      const file = yield* check("raw.mp4")
      expect(file.status).toBe(200)
      expect(file.headers.get("content-length")).toBe("13")
      expect(Number.isNaN(Date.parse(file.headers.get("last-modified") ?? ""))).toBe(false)
      expect((yield* check("alias.mp4")).status).toBe(200)
      expect((yield* check("missing.mp4")).status).toBe(404)
      expect((yield* check("escape.mp4")).status).toBe(403)
      expect((yield* check("incoming")).status).toBe(409)
      const get = yield* request(`${provider.sourceFileCheckUrl}/raw.mp4`)
      expect(get.status).toBe(405)
      expect(get.body).toBe("")
    })
  )
})

describe("parseRange", () => {
  it("reads single byte ranges and rejects unsatisfiable ones", () => {
    expect(FileProvider.parseRange(undefined, 100)).toBeNull()
    expect(FileProvider.parseRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 })
    expect(FileProvider.parseRange("bytes=90-200", 100)).toEqual({ start: 90, end: 99 })
    expect(FileProvider.parseRange("bytes=-10", 100)).toEqual({ start: 90, end: 99 })
    expect(FileProvider.parseRange("bytes=-200", 100)).toEqual({ start: 0, end: 99 })
    expect(FileProvider.parseRange("bytes=100-", 100)).toBe("invalid")
    expect(FileProvider.parseRange("bytes=5-2", 100)).toBe("invalid")
    expect(FileProvider.parseRange("bytes=-", 100)).toBe("invalid")
    expect(FileProvider.parseRange("bytes=0-1,5-6", 100)).toBeNull()
    expect(FileProvider.parseRange("items=0-1", 100)).toBeNull()
  })
})
