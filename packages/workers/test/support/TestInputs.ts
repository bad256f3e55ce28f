/**
 * Small media files of every kind the workers must handle, generated with ffmpeg's lavfi
 * sources during the test run, and a worker runner with test settings.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { promisify } from "node:util"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type { WorkerMessage } from "@videoag/domain"
import { TestMedia } from "@videoag/domain/testing"
import * as WorkerChannel from "../../src/WorkerChannel.js"
import * as WorkerConfig from "../../src/WorkerConfig.js"
import { runJob } from "../../src/Worker.js"

const execFile = promisify(ChildProcess.execFile)

export const ffmpeg = TestMedia.ffmpeg

export type VideoOptions = TestMedia.RecordingOptions

/** Writes an H.264 (and AAC) MP4 with a moving test pattern and a sine tone. */
export const video = TestMedia.generateRecording

/**
 * Writes a phone-style recording. Its frames are stored 320x180 with the left half red and the
 * right half blue, and its display matrix turns the picture 90 degrees counter-clockwise, so it
 * shows 180x320 with red at the bottom.
 */
export const rotatedVideo = async (path: string) => {
  await Fs.mkdir(Path.dirname(path), { recursive: true })
  const plain = `${path}.plain.mp4`
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    "color=c=red:size=320x180:rate=25:duration=2,drawbox=x=160:y=0:w=160:h=180:color=blue:t=fill",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000:duration=2",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-shortest",
    plain
  ])
  // ffmpeg 5.1 turns the `rotate` tag into a display matrix when it copies the streams.
  await ffmpeg(["-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", path])
  await Fs.rm(plain)
  return path
}

/** An audio-only file: `mp3`, `aac` (ADTS) or `m4a`, optionally an MP3 with a cover picture. */
export const audio = async (
  path: string,
  options: { readonly seconds: number; readonly cover?: boolean }
) => {
  await Fs.mkdir(Path.dirname(path), { recursive: true })
  const tone = [
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=330:sample_rate=44100:duration=${options.seconds}`
  ]
  const extension = Path.extname(path)
  const codec = extension === ".mp3" ? ["-c:a", "libmp3lame", "-b:a", "64k"] : ["-c:a", "aac"]
  const cover =
    options.cover === true
      ? [
          "-f",
          "lavfi",
          "-i",
          "color=c=green:size=300x300:duration=1",
          "-map",
          "0:a",
          "-map",
          "1:v",
          "-frames:v",
          "1",
          "-c:v",
          "mjpeg",
          "-disposition:v",
          "attached_pic",
          "-id3v2_version",
          "3"
        ]
      : []
  await ffmpeg([...tone, ...cover, ...codec, path])
  return path
}

/** Copies `source` into `path` (`.mkv` or `.mp4`) with a still cover image as an extra track. */
export const withCoverTrack = async (source: string, path: string) => {
  const cover = `${path}.cover.png`
  await ffmpeg(["-f", "lavfi", "-i", "color=c=green:size=300x300", "-frames:v", "1", cover])
  await ffmpeg(["-i", cover, "-i", source, "-map", "0", "-map", "1", "-c", "copy", path])
  await Fs.rm(cover)
  return path
}

/** Copies the first half of `source` to `path`, like a copy that was cut off. */
export const truncatedCopy = async (source: string, path: string) => {
  const content = await Fs.readFile(source)
  await Fs.writeFile(path, content.subarray(0, Math.floor(content.length / 2)))
  return path
}

export type ProbedStream = TestMedia.ProbedStream

export type ProbeReport = TestMedia.ProbeReport

/** Reads the ffprobe report of a file. */
export const probe = TestMedia.probe

/** Counts the decoded frames of the first video stream. */
export const frameCount = async (path: string) => {
  const { stdout } = await execFile("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-count_frames",
    "-show_entries",
    "stream=nb_read_frames",
    "-of",
    "csv=p=0",
    path
  ])
  return Number(stdout.trim())
}

export const durationOf = async (path: string) => Number((await probe(path)).format.duration)

/** RGB values of a picture's top and bottom halves, read from the first frame. */
export const topAndBottomColours = async (path: string) => {
  const { stdout } = await execFile(
    "ffmpeg",
    [
      "-v",
      "error",
      "-i",
      path,
      "-frames:v",
      "1",
      "-vf",
      "scale=1:2:flags=area",
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "-"
    ],
    { encoding: "buffer", maxBuffer: 1024 }
  )
  return { top: [...stdout.subarray(0, 3)], bottom: [...stdout.subarray(3, 6)] }
}

export const testEncoder: WorkerConfig.EncoderSettings = {
  preset: "ultrafast",
  crf: 32,
  audioBitrateKbps: 64,
  threads: 2,
  maxBitrates: [
    { height: 360, maxKbps: 800 },
    { height: 720, maxKbps: 2500 },
    { height: 1080, maxKbps: 5000 }
  ],
  hlsSegmentSeconds: 2
}

export const testSettings = (
  mediaRoot: string,
  overrides: Partial<WorkerConfig.WorkerSettings> = {}
): WorkerConfig.WorkerSettings => ({
  mediaRoot,
  ffmpegPath: "ffmpeg",
  ffprobePath: "ffprobe",
  encoder: testEncoder,
  stallTimeout: Duration.minutes(2),
  timeLimit: Option.none(),
  ...overrides
})

export interface WorkerRun {
  readonly exitCode: number
  readonly messages: ReadonlyArray<WorkerMessage>
  readonly final: WorkerMessage | undefined
}

/** Runs one job in this process, as the worker CLI would, and keeps every protocol message. */
export const runWorker = (
  settings: WorkerConfig.WorkerSettings,
  typeName: string,
  input: unknown,
  options: {
    readonly jobId?: string
    readonly messages?: Ref.Ref<ReadonlyArray<WorkerMessage>>
  } = {}
) =>
  Effect.gen(function* () {
    const messages = options.messages ?? (yield* Ref.make<ReadonlyArray<WorkerMessage>>([]))
    const exitCode = yield* runJob({
      typeName,
      rawInput: typeof input === "string" ? input : JSON.stringify(input),
      jobId: options.jobId ?? "1",
      attempt: "1"
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          WorkerChannel.layerRecording(messages),
          WorkerConfig.layerWith(settings),
          NodeContext.layer
        )
      )
    )
    const all = yield* Ref.get(messages)
    const run: WorkerRun = { exitCode, messages: all, final: all.at(-1) }
    return run
  })

export const resultOf = <A>(run: WorkerRun): A => {
  if (run.final?.event !== "result") {
    throw new Error(`Expected a result, got ${JSON.stringify(run.final)}`)
  }
  return run.final.output as A
}

export const errorOf = (run: WorkerRun) =>
  run.final?.event === "error" ? run.final.error : undefined

/** Lists every file below `directory`, relative to it and sorted; none when it is missing. */
export const filesBelow = async (directory: string): Promise<Array<string>> => {
  const entries = await Fs.readdir(directory, { recursive: true, withFileTypes: true }).catch(
    () => []
  )
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => Path.relative(directory, Path.join(entry.parentPath, entry.name)))
    .sort()
}

export const exists = (path: string) =>
  Fs.stat(path).then(
    () => true,
    () => false
  )
