/**
 * Checks finished outputs with ffprobe before they are published: the codec, pixel format,
 * even dimensions, square pixels and upright orientation a browser needs, the presence of
 * audio, and a duration that matches the source. An output much shorter than its source means
 * the source ended early, which the source's header did not tell.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Ffprobe from "./Ffprobe.js"
import { JobFailure } from "./JobFailure.js"
import * as MediaRoot from "./MediaRoot.js"

export interface CheckedOutput {
  readonly sizeBytes: number
  readonly durationSeconds: number
  readonly bitRate: number | null
  readonly video: {
    readonly width: number
    readonly height: number
    readonly profile: string | undefined
    readonly level: number | undefined
    readonly framesPerSecond: number | null
  } | null
  readonly hasAudio: boolean
}

export interface Expectations {
  /** Name of the output for messages, e.g. `talk-720p.mp4`. */
  readonly name: string
  readonly sourceName: string
  /**
   * Duration the output must reach, within `durationTolerance`, or null for no check. An audio
   * file of a video source is not checked: its audio may end before the picture does.
   */
  readonly sourceDurationSeconds: number | null
  readonly video: boolean
  readonly audio: boolean
}

/** Largest shortfall of an output's duration against its source before the source counts as cut off. */
export const durationTolerance = (sourceSeconds: number) => Math.max(2, sourceSeconds * 0.005)

const parseRate = (value: string | undefined) => {
  const [numerator, denominator] = (value ?? "").split("/").map(Number)
  return numerator !== undefined && denominator !== undefined && denominator > 0 && numerator > 0
    ? numerator / denominator
    : null
}

const internal = (name: string, problem: string) =>
  new JobFailure({
    kind: "internal",
    code: "output_invalid",
    message: `ffmpeg wrote ${name}, but ${problem}`
  })

/** Probes a finished output at `absolutePath` and fails unless it meets the expectations. */
export const check = (absolutePath: string, expected: Expectations) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs
      .stat(absolutePath)
      .pipe(
        Effect.mapError(
          MediaRoot.fileSystemFailure("output_missing", "read the output", expected.name)
        )
      )
    const file: MediaRoot.ResolvedFile = {
      relativePath: expected.name,
      absolutePath,
      sizeBytes: Number(info.size),
      modifiedAt: new Date()
    }
    const report = yield* Ffprobe.report(file).pipe(
      Effect.mapError((cause) => internal(expected.name, `it does not probe: ${cause.message}`))
    )
    const videoStream = report.streams.find((stream) => stream.codec_type === "video")
    const hasAudio = report.streams.some((stream) => stream.codec_type === "audio")
    const durationSeconds = report.format?.duration ?? 0

    if (expected.video) {
      if (videoStream === undefined) return yield* internal(expected.name, "it has no video")
      const { width = 0, height = 0 } = videoStream
      const problems = [
        videoStream.codec_name !== "h264" && `its video codec is ${videoStream.codec_name}`,
        videoStream.pix_fmt !== "yuv420p" && `its pixel format is ${videoStream.pix_fmt}`,
        (width % 2 !== 0 || height % 2 !== 0 || width === 0) && `it is ${width}x${height}`,
        ![undefined, "1:1", "0:1"].includes(videoStream.sample_aspect_ratio) &&
          `its pixels are not square (${videoStream.sample_aspect_ratio})`,
        Ffprobe.rotationOf(videoStream) !== 0 && "it carries a rotation"
      ].filter((problem) => typeof problem === "string")
      if (problems.length > 0) return yield* internal(expected.name, problems.join(", "))
    } else if (videoStream !== undefined) {
      return yield* internal(expected.name, "it has a video stream")
    }
    if (hasAudio !== expected.audio) {
      return yield* internal(expected.name, hasAudio ? "it has audio" : "it has no audio")
    }

    const sourceSeconds = expected.sourceDurationSeconds
    if (
      sourceSeconds !== null &&
      sourceSeconds - durationSeconds > durationTolerance(sourceSeconds)
    ) {
      return yield* new JobFailure({
        kind: "media",
        code: "source_truncated",
        message: `The file ${JSON.stringify(expected.sourceName)} ends early: its header promises ${sourceSeconds.toFixed(1)} s, but only ${durationSeconds.toFixed(1)} s could be decoded. The file is probably cut off (an incomplete copy or recording); copy the complete file again`
      })
    }

    const checked: CheckedOutput = {
      sizeBytes: file.sizeBytes,
      durationSeconds,
      bitRate: report.format?.bit_rate !== undefined ? Math.round(report.format.bit_rate) : null,
      video:
        videoStream === undefined
          ? null
          : {
              width: videoStream.width ?? 0,
              height: videoStream.height ?? 0,
              profile: videoStream.profile,
              level: videoStream.level,
              framesPerSecond:
                parseRate(videoStream.avg_frame_rate) ?? parseRate(videoStream.r_frame_rate)
            },
      hasAudio
    }
    return checked
  })
