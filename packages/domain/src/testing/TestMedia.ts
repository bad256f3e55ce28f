/**
 * Small media files generated with ffmpeg's lavfi sources during the test run, and ffprobe
 * reports of outputs for assertions.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { promisify } from "node:util"

const execFile = promisify(ChildProcess.execFile)

export interface RecordingOptions {
  readonly width: number
  readonly height: number
  readonly seconds: number
  readonly audio?: boolean
  readonly frameRate?: number
}

/** Writes an H.264/AAC MP4 test recording (moving test pattern and a sine tone). */
export const generateRecording = async (path: string, options: RecordingOptions) => {
  await Fs.mkdir(Path.dirname(path), { recursive: true })
  const { height, seconds, width } = options
  const rate = options.frameRate ?? 25
  const audioInput =
    options.audio === false
      ? []
      : ["-f", "lavfi", "-i", `sine=frequency=440:sample_rate=48000:duration=${seconds}`]
  const audioCodec = options.audio === false ? [] : ["-c:a", "aac", "-b:a", "96k"]
  await execFile(
    "ffmpeg",
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=${width}x${height}:rate=${rate}:duration=${seconds}`,
      ...audioInput,
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p",
      ...audioCodec,
      "-shortest",
      path
    ],
    { maxBuffer: 1024 * 1024 }
  )
  return path
}

export interface ProbedStream {
  readonly codec_type: string
  readonly codec_name: string
  readonly width?: number
  readonly height?: number
  readonly pix_fmt?: string
  readonly channels?: number
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
