/**
 * Small media files generated with ffmpeg's lavfi sources during the test run, and ffprobe
 * reports of outputs for assertions.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { promisify } from "node:util"

const execFile = promisify(ChildProcess.execFile)

/** Runs ffmpeg quietly with the given arguments; rejects when it fails. */
export const ffmpeg = async (args: ReadonlyArray<string>) => {
  await execFile("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args], {
    maxBuffer: 4 * 1024 * 1024
  })
}

export interface RecordingOptions {
  readonly width: number
  readonly height: number
  readonly seconds: number
  readonly audio?: boolean
  readonly frameRate?: number
  readonly pixelFormat?: string
  /** Index at the front of the file (`+faststart`); ffmpeg's default puts it at the end. */
  readonly faststart?: boolean
  /** Extra output arguments, e.g. colour tags. */
  readonly extra?: ReadonlyArray<string>
  /** The lavfi source; `testsrc2` rounds sizes to even numbers, `testsrc` keeps odd ones. */
  readonly pattern?: "testsrc2" | "testsrc"
}

/** Writes an H.264 (and AAC) MP4 test recording with a moving pattern and a sine tone. */
export const generateRecording = async (path: string, options: RecordingOptions) => {
  await Fs.mkdir(Path.dirname(path), { recursive: true })
  const rate = options.frameRate ?? 25
  const size = `${options.width}x${options.height}`
  const audio =
    options.audio === false
      ? []
      : ["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${options.seconds}`]
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `${options.pattern ?? "testsrc2"}=size=${size}:rate=${rate}:duration=${options.seconds}`,
    ...audio,
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    options.pixelFormat ?? "yuv420p",
    ...(options.audio === false ? [] : ["-c:a", "aac", "-b:a", "64k"]),
    ...(options.faststart === true ? ["-movflags", "+faststart"] : []),
    ...(options.extra ?? []),
    "-shortest",
    path
  ])
  return path
}

export interface ProbedStream {
  readonly codec_type: string
  readonly codec_name: string
  readonly width?: number
  readonly height?: number
  readonly pix_fmt?: string
  readonly sample_aspect_ratio?: string
  readonly channels?: number
  readonly sample_rate?: string
  readonly side_data_list?: ReadonlyArray<{ readonly rotation?: number }>
  readonly disposition?: { readonly attached_pic?: number }
}

export interface ProbeReport {
  readonly streams: ReadonlyArray<ProbedStream>
  readonly format: {
    readonly duration: string
    readonly size: string
    readonly format_name: string
  }
}

/** The ffprobe JSON report of a file. */
export const probe = async (path: string): Promise<ProbeReport> => {
  const { stdout } = await execFile(
    "ffprobe",
    ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
    { maxBuffer: 8 * 1024 * 1024 }
  )
  return JSON.parse(stdout) as ProbeReport
}
