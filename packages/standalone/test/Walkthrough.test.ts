import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import * as Schema from "effect/Schema"
import {
  CourseHandle,
  CreateCourse,
  CreateLecture,
  JobId,
  LectureId,
  type Medium
} from "@videoag/domain"
import { TestMedia } from "@videoag/domain/testing"
import { apiClient, pollUntil, startStack, temporaryFolder } from "./support/Harness.js"

const login = (client: Effect.Effect.Success<ReturnType<typeof apiClient>>) =>
  client.auth.login({ payload: { username: "videoag", password: "videoag" } })

/** Payloads as the contract's types, with the defaults a JSON client would get from the server. */
const newCourse = (fields: Record<string, unknown>) =>
  Schema.decodeUnknownSync(CreateCourse)(fields)
const newLecture = (fields: Record<string, unknown>) =>
  Schema.decodeUnknownSync(CreateLecture)(fields)
const handle = (value: string) => Schema.decodeUnknownSync(CourseHandle)(value)

const lectureId = (value: number) => Schema.decodeUnknownSync(LectureId)(value)
const jobId = (value: number) => Schema.decodeUnknownSync(JobId)(value)

const pathOfUrl = (medium: Medium) =>
  decodeURIComponent(new URL(medium.url).pathname).replace(/^\//, "")

describe("walkthrough on the whole stack", () => {
  it.scopedLive(
    "attaches a 1080p recording and publishes its renditions",
    () =>
      Effect.gen(function* () {
        const stack = yield* startStack
        const client = yield* apiClient(stack.apiUrl)
        yield* login(client)
        yield* client.courses.create({
          payload: newCourse({ handle: "analysis-1", title: "Analysis I", semester: "2026ws" })
        })
        const lecture = yield* client.courses.createLecture({
          path: { handle: handle("analysis-1") },
          payload: newLecture({ startTime: "2026-10-14T10:15:00+02:00", title: "Einführung" })
        })
        yield* Effect.promise(() =>
          TestMedia.generateRecording(Path.join(stack.mediaRoot, "raw", "lecture 1.mp4"), {
            width: 1920,
            height: 1080,
            seconds: 10
          })
        )
        const attached = yield* client.lectures.attachSourceFile({
          path: { id: lecture.id },
          payload: { path: "raw/lecture 1.mp4" }
        })
        expect(attached.job.type).toBe("media.probe")
        expect(attached.sourceFile.path).toBe("raw/lecture 1.mp4")

        const published = yield* pollUntil(
          client.lectures.get({ path: { id: lecture.id } }),
          (detail) => detail.media.length === 5,
          "3 minutes"
        )
        expect(published.media.map((medium) => medium.profile)).toEqual([
          "1080p",
          "hls",
          "720p",
          "360p",
          "audio"
        ])
        const probeJob = yield* client.jobs.get({ path: { id: attached.job.id } })
        expect(probeJob.status).toBe("succeeded")
        expect(probeJob.attempt).toBe(1)

        const hls = published.media.find((medium) => medium.profile === "hls")
        const playlist = yield* Effect.promise(() => fetch(hls!.url))
        expect(playlist.status).toBe(200)
        expect(playlist.headers.get("content-type")).toBe("application/vnd.apple.mpegurl")
        const variants = (yield* Effect.promise(() => playlist.text()))
          .split("\n")
          .filter((line) => line.endsWith(".m3u8"))
        expect(variants).toHaveLength(3)

        for (const medium of published.media.filter((entry) => entry.profile !== "hls")) {
          const file = Path.join(stack.mediaRoot, pathOfUrl(medium))
          const report = yield* Effect.promise(() => TestMedia.probe(file))
          const stat = yield* Effect.promise(() => Fs.stat(file))
          expect(medium.sizeBytes, medium.profile).toBe(stat.size)
          expect(Math.abs(Number(report.format.duration) - 10), medium.profile).toBeLessThan(0.5)
          expect(Math.abs(medium.durationSeconds - 10), medium.profile).toBeLessThan(0.5)
          const audio = report.streams.filter((stream) => stream.codec_type === "audio")
          expect(
            audio.map((stream) => stream.codec_name),
            medium.profile
          ).toEqual(["aac"])
          const video = report.streams.filter((stream) => stream.codec_type === "video")
          if (medium.profile === "audio") {
            expect(video).toEqual([])
            expect(medium.mimeType).toBe("audio/mp4")
            continue
          }
          const expectedHeight = Number(medium.profile.replace("p", ""))
          expect(video.map((stream) => [stream.codec_name, stream.pix_fmt, stream.height])).toEqual(
            [["h264", "yuv420p", expectedHeight]]
          )
          expect(medium.height).toBe(expectedHeight)
          expect(medium.width).toBe((expectedHeight * 16) / 9)
          expect(medium.mimeType).toBe("video/mp4")

          const response = yield* Effect.promise(() => fetch(medium.url))
          const body = yield* Effect.promise(() => response.arrayBuffer())
          expect(response.status).toBe(200)
          expect(response.headers.get("content-type")).toBe("video/mp4")
          expect(body.byteLength).toBe(medium.sizeBytes)
        }

        const pictured = yield* pollUntil(
          client.lectures.get({ path: { id: lecture.id } }),
          (detail) => detail.thumbnails.poster !== null && detail.thumbnails.storyboard !== null
        )
        const poster = yield* Effect.promise(() => fetch(pictured.thumbnails.poster!.url))
        expect(poster.status).toBe(200)
        expect(poster.headers.get("content-type")).toBe("image/jpeg")
        const track = yield* Effect.promise(() => fetch(pictured.thumbnails.storyboard!.trackUrl))
        expect(track.status).toBe(200)
        expect(track.headers.get("content-type")).toContain("text/vtt")
        expect(yield* Effect.promise(() => track.text())).toContain("#xywh=")
        const sprite = yield* Effect.promise(() => fetch(pictured.thumbnails.storyboard!.spriteUrl))
        expect(sprite.status).toBe(200)

        const course = yield* client.courses.get({ path: { handle: handle("analysis-1") } })
        expect(course.lectures.map((entry) => entry.media.length)).toEqual([5])
        const work = yield* Effect.promise(() =>
          Fs.readdir(Path.join(stack.mediaRoot, ".videoag-work"))
        )
        expect(work).toEqual([])
      }),
    240_000
  )

  it.scopedLive(
    "fails a text file named .mp4 without touching it",
    () =>
      Effect.gen(function* () {
        const stack = yield* startStack
        const client = yield* apiClient(stack.apiUrl)
        yield* login(client)
        yield* client.courses.create({ payload: newCourse({ handle: "notes", title: "Notes" }) })
        const lecture = yield* client.courses.createLecture({
          path: { handle: handle("notes") },
          payload: newLecture({ startTime: "2026-10-14T10:15:00Z" })
        })
        const content = "Tafelanschrieb, Woche 1\n"
        yield* Effect.promise(() => Fs.writeFile(Path.join(stack.mediaRoot, "notes.mp4"), content))
        const attached = yield* client.lectures.attachSourceFile({
          path: { id: lecture.id },
          payload: { path: "notes.mp4" }
        })

        const job = yield* pollUntil(
          client.jobs.get({ path: { id: attached.job.id } }),
          (current) => ["succeeded", "failed"].includes(current.status)
        )
        expect(job.status).toBe("failed")
        expect(job.attempt).toBe(1)
        expect(job.error?.code).toBe("not_media")
        expect(job.error?.message).toContain('"notes.mp4"')
        expect(job.error?.message).toContain("not a media file")
        expect(job.error?.retryable).toBe(false)

        expect(
          yield* Effect.promise(() => Fs.readFile(Path.join(stack.mediaRoot, "notes.mp4"), "utf8"))
        ).toBe(content)
        const entries = yield* Effect.promise(() => Fs.readdir(stack.mediaRoot))
        expect(entries.sort()).toEqual(["notes.mp4", "published"])
        const published = Path.join(stack.mediaRoot, "published")
        expect((yield* Effect.promise(() => Fs.readdir(published))).sort()).toEqual([
          "protected",
          "public"
        ])
        for (const folder of ["protected", "public"]) {
          expect(
            yield* Effect.promise(() => Fs.readdir(Path.join(published, folder))),
            folder
          ).toEqual([])
        }
        const detail = yield* client.lectures.get({ path: { id: lecture.id } })
        expect(detail.media).toEqual([])
      }),
    120_000
  )

  it.scopedLive("rejects source paths that leave the media root or do not exist", () =>
    Effect.gen(function* () {
      const stack = yield* startStack
      const outside = yield* temporaryFolder("videoag-outside-")
      yield* Effect.promise(async () => {
        await Fs.writeFile(Path.join(outside, "secret.mp4"), "outside")
        await Fs.symlink(Path.join(outside, "secret.mp4"), Path.join(stack.mediaRoot, "escape.mp4"))
        await Fs.mkdir(Path.join(stack.mediaRoot, "folder"))
      })
      const client = yield* apiClient(stack.apiUrl)
      yield* login(client)
      yield* client.courses.create({ payload: newCourse({ handle: "paths", title: "Paths" }) })
      const lecture = yield* client.courses.createLecture({
        path: { handle: handle("paths") },
        payload: newLecture({ startTime: "2026-10-14T10:15:00Z" })
      })
      const attach = (path: string) =>
        Effect.flip(
          client.lectures.attachSourceFile({ path: { id: lecture.id }, payload: { path } })
        )

      const cases: ReadonlyArray<readonly [string, string, string]> = [
        ["../x.mp4", "SourcePathRejected", "source_path_outside_media_root"],
        ["/etc/hostname", "SourcePathRejected", "source_path_absolute"],
        ["escape.mp4", "SourcePathRejected", "source_path_outside_media_root"],
        ["folder", "SourcePathRejected", "source_path_not_a_file"],
        ["published/x.mp4", "SourcePathRejected", "source_path_invalid"],
        ["missing.mp4", "NotFound", "source_file_not_found"]
      ]
      for (const [path, tag, code] of cases) {
        const error = yield* attach(path)
        expect(error._tag, path).toBe(tag)
        expect("code" in error ? error.code : undefined, path).toBe(code)
      }
    })
  )

  it.scopedLive("answers 401 to anonymous moderator requests and wrong passwords alike", () =>
    Effect.gen(function* () {
      const stack = yield* startStack
      const anonymous = yield* apiClient(stack.apiUrl)
      const denied = [
        yield* Effect.flip(
          anonymous.courses.create({ payload: newCourse({ handle: "x", title: "X" }) })
        ),
        yield* Effect.flip(
          anonymous.lectures.attachSourceFile({
            path: { id: lectureId(1) },
            payload: { path: "a.mp4" }
          })
        ),
        yield* Effect.flip(anonymous.jobs.get({ path: { id: jobId(1) } })),
        yield* Effect.flip(anonymous.auth.me())
      ]
      for (const error of denied) {
        expect(error._tag).toBe("Unauthorized")
        expect("code" in error ? error.code : undefined).toBe("authentication_required")
      }

      const wrongPassword = yield* Effect.flip(
        anonymous.auth.login({ payload: { username: "videoag", password: "wrong" } })
      )
      const unknownUser = yield* Effect.flip(
        anonymous.auth.login({ payload: { username: "nobody", password: "wrong" } })
      )
      expect(wrongPassword._tag).toBe("Unauthorized")
      expect(unknownUser._tag).toBe("Unauthorized")
      expect(JSON.stringify(wrongPassword)).toBe(JSON.stringify(unknownUser))

      const response = yield* Effect.promise(() =>
        fetch(`${stack.apiUrl}/api/v1/courses`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ handle: "x", title: "X" })
        })
      )
      expect(response.status).toBe(401)
      expect(yield* Effect.promise(() => response.json())).toMatchObject({
        code: "authentication_required"
      })
    })
  )
})
