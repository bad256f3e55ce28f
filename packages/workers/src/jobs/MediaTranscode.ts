/**
 * `media.transcode`: turns a raw recording into the renditions, audio file and HLS stream of
 * its profile set in one ffmpeg run. Outputs are written to the attempt's work folder, checked
 * with ffprobe, and moved into the output folder only after all of them passed, so a failed or
 * stopped job leaves no partial file where the file provider would serve it.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import type { MediaTranscodeInput, MediaTranscodeOutput, TranscodedFile } from "@videoag/domain"
import * as Ffmpeg from "../Ffmpeg.js"
import * as Ffprobe from "../Ffprobe.js"
import * as Hls from "../Hls.js"
import { JobFailure } from "../JobFailure.js"
import * as MediaRoot from "../MediaRoot.js"
import * as OutputCheck from "../OutputCheck.js"
import { publish } from "../Publish.js"
import * as TranscodePlan from "../TranscodePlan.js"
import { WorkerChannel } from "../WorkerChannel.js"
import { WorkerConfig } from "../WorkerConfig.js"

export interface AttemptIdentity {
  readonly jobId: string
  readonly attempt: string
}

const hlsMimeType = "application/vnd.apple.mpegurl"

/**
 * Writes the master playlist of the HLS stream in `directory` and describes the stream. Each
 * variant's bandwidth is measured from its segments. Its codecs and size come from the checked
 * MP4 file of the same rendition, which contains the same encoded streams.
 */
const finishHls = (options: {
  readonly directory: string
  readonly plan: TranscodePlan.TranscodePlan
  readonly checked: ReadonlyMap<string, OutputCheck.CheckedOutput>
  readonly publishedPath: string
  readonly profile: string
}) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const failure = (name: string) =>
      MediaRoot.fileSystemFailure("output_missing", "read the HLS output", name)
    const variants: Array<Hls.VariantStream> = []
    let durationSeconds = 0
    for (const video of options.plan.videos) {
      const checked = options.checked.get(video.profile)
      const playlistName = TranscodePlan.variantPlaylistName(video.profile)
      const text = yield* fs
        .readFileString(path.join(options.directory, playlistName))
        .pipe(Effect.mapError(failure(playlistName)))
      const { segments } = Hls.parsePlaylist(text)
      if (segments.length === 0 || checked?.video == null) {
        return yield* new JobFailure({
          kind: "internal",
          code: "output_invalid",
          message: `ffmpeg wrote the HLS playlist ${playlistName} without segments`
        })
      }
      const measured = yield* Effect.forEach(segments, (segment) =>
        Effect.map(
          fs
            .stat(path.join(options.directory, segment.uri))
            .pipe(Effect.mapError(failure(segment.uri))),
          (info) => ({ sizeBytes: Number(info.size), durationSeconds: segment.durationSeconds })
        )
      )
      durationSeconds = Math.max(
        durationSeconds,
        segments.reduce((sum, segment) => sum + segment.durationSeconds, 0)
      )
      const codecs = [Hls.h264CodecString(checked.video.profile, checked.video.level)]
      if (checked.hasAudio) codecs.push(Hls.aacCodecString)
      variants.push({
        playlistUri: playlistName,
        width: checked.video.width,
        height: checked.video.height,
        codecs: codecs.join(","),
        framesPerSecond: checked.video.framesPerSecond,
        ...Hls.measureBandwidth(measured)
      })
    }
    yield* fs
      .writeFileString(
        path.join(options.directory, TranscodePlan.masterPlaylistName),
        Hls.masterPlaylist(variants)
      )
      .pipe(Effect.mapError(failure(TranscodePlan.masterPlaylistName)))

    let sizeBytes = 0
    for (const name of yield* fs
      .readDirectory(options.directory)
      .pipe(Effect.mapError(failure(".")))) {
      const info = yield* fs
        .stat(path.join(options.directory, name))
        .pipe(Effect.mapError(failure(name)))
      sizeBytes += Number(info.size)
    }
    const largest = variants.reduce((a, b) => (b.height > a.height ? b : a))
    const file: TranscodedFile = {
      profile: options.profile,
      path: options.publishedPath,
      mimeType: hlsMimeType,
      sizeBytes,
      durationSeconds,
      width: largest.width,
      height: largest.height,
      bitRate: largest.averageBandwidth
    }
    return file
  })

export const run = (input: MediaTranscodeInput, attempt: AttemptIdentity) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const settings = yield* WorkerConfig
    const channel = yield* WorkerChannel

    const source = yield* MediaRoot.resolveFile(input.sourcePath)
    const quoted = JSON.stringify(source.relativePath)
    const probe = yield* Ffprobe.probe(source)
    const target = yield* MediaRoot.resolveOutputDirectory(input.outputDirectory)
    const plan = TranscodePlan.plan(input, probe, settings.encoder)
    if (plan.videos.length === 0 && plan.audio === null) {
      return yield* new JobFailure({
        kind: "media",
        code: "nothing_to_encode",
        message: `The file ${quoted} has no stream for the requested outputs: ${probe.video === null ? "it has no video" : "no rendition was requested"}${probe.audio === null ? " and no audio" : ""}`
      })
    }

    const work = yield* MediaRoot.workDirectory(attempt.jobId, attempt.attempt)
    const staging = path.join(work, "out")
    const hlsDirectory = path.join(staging, TranscodePlan.hlsFolder)
    yield* fs
      .makeDirectory(plan.hls !== null ? hlsDirectory : staging, { recursive: true })
      .pipe(
        Effect.mapError(
          MediaRoot.fileSystemFailure("work_directory_failed", "create the work folder", staging)
        )
      )
    yield* Effect.logInfo("Transcoding source file").pipe(
      Effect.annotateLogs({
        path: source.relativePath,
        renditions: plan.videos.map((video) => video.profile).join(", "),
        audio: plan.audio?.profile ?? "none",
        hls: plan.hls?.profile ?? "none"
      })
    )
    yield* channel.emit({ event: "progress", percent: 0, etaSeconds: null, message: "encoding" })
    yield* Ffmpeg.run({
      args: TranscodePlan.buildArguments({
        sourcePath: source.absolutePath,
        plan,
        probe,
        encoder: settings.encoder
      }),
      workingDirectory: staging,
      durationSeconds: probe.durationSeconds,
      activity: `encoding ${quoted}`,
      onProgress: (progress) =>
        channel.emit({ event: "progress", ...progress, message: "encoding" })
    })

    yield* channel.emit({ event: "progress", percent: 99.9, etaSeconds: 0, message: "checking" })
    const expectations = (name: string, video: boolean, audio: boolean) => ({
      name,
      sourceName: source.relativePath,
      sourceDurationSeconds: video || probe.video === null ? probe.durationSeconds : null,
      video,
      audio
    })
    const published = (name: string) => `${target.relativePath}/${name}`
    const files: Array<TranscodedFile> = []
    const checkedVideos = new Map<string, OutputCheck.CheckedOutput>()
    for (const video of plan.videos) {
      const checked = yield* OutputCheck.check(
        path.join(staging, video.fileName),
        expectations(video.fileName, true, plan.videosHaveAudio)
      )
      checkedVideos.set(video.profile, checked)
      files.push({
        profile: video.profile,
        path: published(video.fileName),
        mimeType: "video/mp4",
        sizeBytes: checked.sizeBytes,
        durationSeconds: checked.durationSeconds,
        width: checked.video?.width ?? null,
        height: checked.video?.height ?? null,
        bitRate: checked.bitRate
      })
    }
    if (plan.audio !== null) {
      const checked = yield* OutputCheck.check(
        path.join(staging, plan.audio.fileName),
        expectations(plan.audio.fileName, false, true)
      )
      files.push({
        profile: plan.audio.profile,
        path: published(plan.audio.fileName),
        mimeType: "audio/mp4",
        sizeBytes: checked.sizeBytes,
        durationSeconds: checked.durationSeconds,
        width: null,
        height: null,
        bitRate: checked.bitRate
      })
    }
    if (plan.hls !== null) {
      files.push(
        yield* finishHls({
          directory: hlsDirectory,
          plan,
          checked: checkedVideos,
          publishedPath: published(
            `${TranscodePlan.hlsFolder}/${TranscodePlan.masterPlaylistName}`
          ),
          profile: plan.hls.profile
        })
      )
    }

    yield* publish({
      workDirectory: work,
      stagingDirectory: staging,
      target,
      files: [
        ...plan.videos.map((video) => video.fileName),
        ...(plan.audio ? [plan.audio.fileName] : [])
      ],
      folders: plan.hls !== null ? [TranscodePlan.hlsFolder] : []
    })
    yield* channel.emit({ event: "progress", percent: 100, etaSeconds: 0, message: "published" })
    const result: MediaTranscodeOutput = { files }
    return result
  }).pipe(Effect.scoped, Effect.withSpan("MediaTranscode.run"))
