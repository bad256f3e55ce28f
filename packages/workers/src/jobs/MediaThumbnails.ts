/**
 * `media.thumbnails`: a poster image and a storyboard for seek previews, taken from published
 * renditions, which are already upright with square pixels. The storyboard is one JPEG sprite
 * with the tiles row by row and a WebVTT track whose cues point into it with `#xywh=`
 * fragments, the form video players read for thumbnail previews.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import type { MediaThumbnailsInput, MediaThumbnailsOutput, ThumbnailImage } from "@videoag/domain"
import * as Ffmpeg from "../Ffmpeg.js"
import * as Ffprobe from "../Ffprobe.js"
import { JobFailure } from "../JobFailure.js"
import * as MediaRoot from "../MediaRoot.js"
import { publish } from "../Publish.js"
import { WorkerChannel } from "../WorkerChannel.js"
import type { AttemptIdentity } from "./MediaTranscode.js"

/** JPEG images may be at most 65535 pixels high; stay below with a margin. */
const maxSpriteHeight = 65_000

/**
 * The time between tiles: the requested interval for long videos, at least a tenth of the
 * duration down to one second for short ones, and longer when the tiles would exceed `maxTiles`.
 */
export const storyboardInterval = (
  durationSeconds: number,
  requestedSeconds: number,
  maxTiles: number
) => {
  const dense = Math.min(requestedSeconds, Math.max(1, durationSeconds / 10))
  return Math.max(dense, durationSeconds / maxTiles)
}

/** The second the poster shows: the requested one, or the middle of a video shorter than twice it. */
export const posterOffset = (durationSeconds: number, requestedSeconds: number) =>
  durationSeconds >= 2 * requestedSeconds ? requestedSeconds : durationSeconds / 2

const timestamp = (seconds: number) => {
  const millis = Math.max(0, Math.round(seconds * 1000))
  const hours = Math.floor(millis / 3_600_000)
  const minutes = Math.floor((millis % 3_600_000) / 60_000)
  const rest = ((millis % 60_000) / 1000).toFixed(3).padStart(6, "0")
  return `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}:${rest}`
}

/** The WebVTT track of a storyboard: one cue per tile, the last one lasting to the end. */
export const storyboardTrack = (options: {
  readonly spriteName: string
  readonly tileCount: number
  readonly columns: number
  readonly tileWidth: number
  readonly tileHeight: number
  readonly intervalSeconds: number
  readonly durationSeconds: number
}) => {
  const lines = ["WEBVTT", ""]
  for (let tile = 0; tile < options.tileCount; tile++) {
    const start = tile * options.intervalSeconds
    const end =
      tile === options.tileCount - 1
        ? Math.max(options.durationSeconds, start + 0.001)
        : (tile + 1) * options.intervalSeconds
    const x = (tile % options.columns) * options.tileWidth
    const y = Math.floor(tile / options.columns) * options.tileHeight
    lines.push(
      `${timestamp(start)} --> ${timestamp(end)}`,
      `${options.spriteName}#xywh=${x},${y},${options.tileWidth},${options.tileHeight}`,
      ""
    )
  }
  return lines.join("\n")
}

const even = (value: number) => Math.max(2, Math.round(value / 2) * 2)

export const run = (input: MediaThumbnailsInput, attempt: AttemptIdentity) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const channel = yield* WorkerChannel

    const posterSource = yield* MediaRoot.resolveFile(input.posterSourcePath)
    const storyboardSource = yield* MediaRoot.resolveFile(input.storyboardSourcePath)
    const posterProbe = yield* Ffprobe.probe(posterSource)
    const storyboardProbe = yield* Ffprobe.probe(storyboardSource)
    const video = storyboardProbe.video
    if (posterProbe.video === null || video === null) {
      const source = posterProbe.video === null ? posterSource : storyboardSource
      return yield* new JobFailure({
        kind: "media",
        code: "no_video_stream",
        message: `The file ${JSON.stringify(source.relativePath)} has no video to take thumbnails from`
      })
    }
    const target = yield* MediaRoot.resolveOutputDirectory(input.outputDirectory)
    const work = yield* MediaRoot.workDirectory(attempt.jobId, attempt.attempt)
    const staging = path.join(work, "out")
    const tiles = path.join(work, "tiles")
    const workFailure = MediaRoot.fileSystemFailure(
      "work_directory_failed",
      "prepare the work folder",
      work
    )
    yield* fs.makeDirectory(staging).pipe(Effect.mapError(workFailure))
    yield* fs.makeDirectory(tiles).pipe(Effect.mapError(workFailure))

    const posterName = `${input.fileNamePrefix}-poster.jpg`
    const spriteName = `${input.fileNamePrefix}-storyboard.jpg`
    const trackName = `${input.fileNamePrefix}-storyboard.vtt`
    const noProgress = () => Effect.void

    const writePoster = (offsetSeconds: number) =>
      Ffmpeg.run({
        args: [
          "-hide_banner",
          "-nostdin",
          "-loglevel",
          "error",
          "-y",
          "-ss",
          offsetSeconds.toFixed(3),
          "-i",
          `file:${posterSource.absolutePath}`,
          "-an",
          "-frames:v",
          "1",
          "-vf",
          `scale=w='min(iw,${input.posterMaxWidth})':h=-2,setsar=1`,
          "-q:v",
          "3",
          "-update",
          "1",
          posterName
        ],
        workingDirectory: staging,
        durationSeconds: 0,
        activity: `taking the poster from ${JSON.stringify(posterSource.relativePath)}`,
        onProgress: noProgress
      })
    const posterPath = path.join(staging, posterName)
    yield* writePoster(posterOffset(posterProbe.durationSeconds, input.posterOffsetSeconds))
    if (!(yield* fs.exists(posterPath).pipe(Effect.mapError(workFailure)))) {
      // A seek past the last decodable frame writes nothing; the first frame always exists.
      yield* writePoster(0)
    }

    const tileHeight = even((input.tileWidth * video.displayHeight) / video.displayWidth)
    const maxTiles = Math.max(
      1,
      Math.min(input.maxTiles, Math.floor(maxSpriteHeight / tileHeight) * input.columns)
    )
    const interval = storyboardInterval(
      storyboardProbe.durationSeconds,
      input.intervalSeconds,
      maxTiles
    )
    yield* channel.emit({ event: "progress", percent: 5, etaSeconds: null, message: "storyboard" })
    const takeTiles = (
      filter: string,
      maxFrames: number,
      onProgress: (progress: Ffmpeg.EncodeProgress) => Effect.Effect<void>
    ) =>
      Ffmpeg.run({
        args: [
          "-hide_banner",
          "-nostdin",
          "-loglevel",
          "error",
          "-y",
          "-i",
          `file:${storyboardSource.absolutePath}`,
          "-an",
          "-vf",
          `${filter}scale=w=${input.tileWidth}:h=${tileHeight},setsar=1`,
          "-frames:v",
          String(maxFrames),
          "-q:v",
          "5",
          "tiles/%05d.jpg"
        ],
        workingDirectory: work,
        durationSeconds: storyboardProbe.durationSeconds,
        activity: `taking storyboard tiles from ${JSON.stringify(storyboardSource.relativePath)}`,
        onProgress
      })
    const countTiles = Effect.map(
      fs.readDirectory(tiles).pipe(Effect.mapError(workFailure)),
      (names) => names.filter((name) => name.endsWith(".jpg")).length
    )
    yield* takeTiles(
      `fps=fps=1000/${Math.round(interval * 1000)}:round=down,`,
      maxTiles,
      (progress) =>
        channel.emit({
          event: "progress",
          percent: 5 + progress.percent * 0.9,
          etaSeconds: progress.etaSeconds,
          message: "storyboard"
        })
    )
    if ((yield* countTiles) === 0) {
      // The fps filter emits nothing for a video shorter than one interval: use its first frame.
      yield* takeTiles("", 1, noProgress)
    }
    const tileCount = yield* countTiles
    if (tileCount === 0) {
      return yield* new JobFailure({
        kind: "media",
        code: "no_frames",
        message: `No frame of ${JSON.stringify(storyboardSource.relativePath)} could be decoded for the storyboard`
      })
    }
    const columns = Math.min(input.columns, tileCount)
    const rows = Math.ceil(tileCount / columns)
    yield* Ffmpeg.run({
      args: [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-framerate",
        "1",
        "-i",
        "tiles/%05d.jpg",
        "-vf",
        `tile=layout=${columns}x${rows}`,
        "-frames:v",
        "1",
        "-q:v",
        "4",
        "-update",
        "1",
        `out/${spriteName}`
      ],
      workingDirectory: work,
      durationSeconds: 0,
      activity: "joining the storyboard tiles",
      onProgress: noProgress
    })
    yield* fs
      .writeFileString(
        path.join(staging, trackName),
        storyboardTrack({
          spriteName,
          tileCount,
          columns,
          tileWidth: input.tileWidth,
          tileHeight,
          intervalSeconds: interval,
          durationSeconds: storyboardProbe.durationSeconds
        })
      )
      .pipe(Effect.mapError(workFailure))

    const describe = (name: string, width: number, height: number) =>
      Effect.map(
        fs
          .stat(path.join(staging, name))
          .pipe(
            Effect.mapError(MediaRoot.fileSystemFailure("output_missing", "read the output", name))
          ),
        (info): ThumbnailImage => ({
          path: `${target.relativePath}/${name}`,
          mimeType: "image/jpeg",
          sizeBytes: Number(info.size),
          width,
          height
        })
      )
    const posterSize = yield* imageSize(posterPath, posterName)
    const poster = yield* describe(posterName, posterSize.width, posterSize.height)
    const sprite = yield* describe(spriteName, columns * input.tileWidth, rows * tileHeight)

    yield* publish({
      workDirectory: work,
      stagingDirectory: staging,
      target,
      files: [posterName, spriteName, trackName]
    })
    yield* channel.emit({ event: "progress", percent: 100, etaSeconds: 0, message: "published" })
    const output: MediaThumbnailsOutput = {
      poster,
      storyboard: {
        sprite,
        trackPath: `${target.relativePath}/${trackName}`,
        tileWidth: input.tileWidth,
        tileHeight,
        tileCount,
        columns,
        intervalSeconds: interval
      }
    }
    return output
  }).pipe(Effect.scoped, Effect.withSpan("MediaThumbnails.run"))

/** The pixel size of an image, read with ffprobe. */
const imageSize = (absolutePath: string, name: string) =>
  Effect.gen(function* () {
    const report = yield* Ffprobe.report({
      relativePath: name,
      absolutePath,
      sizeBytes: 1,
      modifiedAt: new Date()
    }).pipe(
      Effect.mapError(
        (cause) =>
          new JobFailure({
            kind: "internal",
            code: "output_invalid",
            message: `ffmpeg wrote ${name}, but it does not probe as an image: ${cause.message}`
          })
      )
    )
    const stream = report.streams.find((candidate) => candidate.codec_type === "video")
    return { width: stream?.width ?? 0, height: stream?.height ?? 0 }
  })
