/**
 * Plans the outputs of a transcode and builds the one ffmpeg command that writes them all. The
 * source is decoded once, and the filter graph splits the picture into one scaled stream per
 * rendition. Each stream is encoded once, and the `tee` muxer writes it both into its MP4 file
 * and into its HLS variant. The audio is encoded once and shared by all outputs.
 */
import type { MediaProbeOutput, MediaTranscodeInput } from "@videoag/domain"
import type { BitrateCap, EncoderSettings } from "./WorkerConfig.js"

export interface VideoOutput {
  readonly profile: string
  /** Length of the picture's shorter side: the height, or the width of a portrait video. */
  readonly size: number
  readonly fileName: string
  readonly maxBitrateKbps: number
}

export interface AudioOutput {
  readonly profile: string
  readonly fileName: string
}

export interface HlsOutput {
  readonly profile: string
}

export interface TranscodePlan {
  readonly videos: ReadonlyArray<VideoOutput>
  readonly audio: AudioOutput | null
  readonly hls: HlsOutput | null
  /** Whether the video outputs carry the source's first audio stream. */
  readonly videosHaveAudio: boolean
  /** Whether the source is taller than wide once rotated, so `size` limits the width. */
  readonly portrait: boolean
}

/** Folder of the HLS stream inside the output folder, and the name of its master playlist. */
export const hlsFolder = "hls"
export const masterPlaylistName = "master.m3u8"

export const variantPlaylistName = (profile: string) => `${profile}.m3u8`
export const variantInitName = (profile: string) => `${profile}-init.mp4`
const variantSegmentPattern = (profile: string) => `${profile}-%05d.m4s`

/** Returns the cap of the smallest listed size at or above `size`, else the largest cap. */
export const bitrateCapFor = (size: number, caps: ReadonlyArray<BitrateCap>): number => {
  const fitting = caps.find((cap) => cap.height >= size)
  return (fitting ?? caps.at(-1))?.maxKbps ?? 6000
}

/**
 * Plans the outputs of a source. Renditions larger than the source are skipped, because
 * upscaling adds no detail, and a source smaller than every rendition gets the smallest one at
 * its own size. The audio file needs audio in the source, and HLS needs video. Video outputs
 * carry no audio when the source has none, because a silent track would only cost space.
 */
export const plan = (
  input: MediaTranscodeInput,
  probe: MediaProbeOutput,
  encoder: EncoderSettings
): TranscodePlan => {
  const videos: Array<VideoOutput> = []
  const video = probe.video
  const portrait = video !== null && video.displayHeight > video.displayWidth
  if (video !== null && input.renditions.length > 0) {
    const sourceSize = Math.min(video.displayWidth, video.displayHeight)
    const fitting = input.renditions.filter((rendition) => rendition.height <= sourceSize)
    const smallest = [...input.renditions].sort((a, b) => a.height - b.height)[0]
    const chosen =
      fitting.length > 0 || smallest === undefined
        ? fitting
        : [{ ...smallest, height: Math.max(2, sourceSize - (sourceSize % 2)) }]
    for (const rendition of [...chosen].sort((a, b) => b.height - a.height)) {
      videos.push({
        profile: rendition.profile,
        size: rendition.height,
        fileName: `${input.fileNamePrefix}-${rendition.profile}.mp4`,
        maxBitrateKbps: bitrateCapFor(rendition.height, encoder.maxBitrates)
      })
    }
  }
  const audio =
    probe.audio !== null && input.audioProfile !== null
      ? {
          profile: input.audioProfile,
          fileName: `${input.fileNamePrefix}-${input.audioProfile}.m4a`
        }
      : null
  const hls = videos.length > 0 && input.hlsProfile !== null ? { profile: input.hlsProfile } : null
  return { videos, audio, hls, videosHaveAudio: probe.audio !== null, portrait }
}

/** Transfer characteristics of HDR video (PQ and HLG), which need tone mapping to look right. */
const hdrTransfers: ReadonlySet<string> = new Set(["smpte2084", "arib-std-b67"])

/**
 * Lists the filters that run once on the decoded source: tone mapping for HDR, deinterlacing of
 * frames marked interlaced (progressive frames pass unchanged), and conversion to 8-bit 4:2:0.
 * ffmpeg has already turned the picture upright by then, following its display matrix.
 */
const sourceFilters = (probe: MediaProbeOutput): ReadonlyArray<string> => {
  const transfer = probe.video?.colorTransfer ?? null
  const toneMapping =
    transfer !== null && hdrTransfers.has(transfer)
      ? [
          `zscale=tin=${transfer}:pin=bt2020:min=bt2020nc:t=linear:npl=100`,
          "format=gbrpf32le",
          "zscale=p=bt709",
          "tonemap=tonemap=hable:desat=0",
          "zscale=t=bt709:m=bt709:r=tv"
        ]
      : []
  return [...toneMapping, "yadif=mode=send_frame:parity=auto:deint=interlaced"]
}

/** Scales to `size` on the shorter side, keeps the display aspect ratio and even dimensions. */
const scaleFilter = (output: VideoOutput, portrait: boolean) =>
  portrait
    ? `scale=w=${output.size}:h=trunc(${output.size}/dar/2)*2`
    : `scale=w=trunc(${output.size}*dar/2)*2:h=${output.size}`

/** Quotes a value for the `tee` muxer's option syntax. */
const teeValue = (value: string) => `\\'${value}\\'`

/**
 * The ffmpeg arguments (without `-progress`) that write every planned output, with names
 * relative to the working directory: the MP4 files, the audio file and `hls/`, which must
 * exist. Video outputs are H.264 yuv420p with square pixels, and audio is AAC stereo at 48 kHz.
 * MP4 files carry their index at the front, so playback starts before the download ends.
 */
export const buildArguments = (options: {
  readonly sourcePath: string
  readonly plan: TranscodePlan
  readonly probe: MediaProbeOutput
  readonly encoder: EncoderSettings
}): ReadonlyArray<string> => {
  const { encoder, plan: outputs } = options
  const { videos } = outputs
  const mapsAudio = outputs.audio !== null || (videos.length > 0 && outputs.videosHaveAudio)
  const args: Array<string> = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
  args.push("-i", `file:${options.sourcePath}`)

  if (videos.length > 0) {
    const branches = videos.map((_, index) => `[branch${index}]`).join("")
    const scaled = videos.map(
      (video, index) =>
        `[branch${index}]${scaleFilter(video, outputs.portrait)},setsar=1,format=yuv420p[video${index}]`
    )
    const shared = [...sourceFilters(options.probe), `split=${videos.length}${branches}`]
    // The probe skips cover pictures, which may come before the recording's video stream.
    const streamIndex = options.probe.video?.streamIndex ?? null
    const input = streamIndex === null ? "[0:v:0]" : `[0:${streamIndex}]`
    args.push("-filter_complex", [`${input}${shared.join(",")}`, ...scaled].join(";"))
    videos.forEach((_, index) => args.push("-map", `[video${index}]`))
    args.push(
      "-c:v",
      "libx264",
      "-preset",
      encoder.preset,
      "-crf",
      String(encoder.crf),
      "-profile:v",
      "high",
      "-threads",
      String(encoder.threads),
      "-fps_mode",
      "vfr",
      "-force_key_frames",
      `expr:gte(t,n_forced*${encoder.hlsSegmentSeconds})`
    )
    videos.forEach((video, index) =>
      args.push(
        `-maxrate:v:${index}`,
        `${video.maxBitrateKbps}k`,
        `-bufsize:v:${index}`,
        `${video.maxBitrateKbps * 2}k`
      )
    )
  }
  if (mapsAudio) {
    args.push("-map", "0:a:0", "-c:a", "aac", "-b:a", `${encoder.audioBitrateKbps}k`)
    args.push("-ac", "2", "-ar", "48000")
  }
  args.push("-map_metadata", "-1", "-map_chapters", "-1")

  const withAudio = (streams: string) =>
    outputs.videosHaveAudio && mapsAudio ? `${streams},a:0` : streams
  const mp4 = (select: string, fileName: string) =>
    `[select=${teeValue(select)}:f=mp4:movflags=+faststart:onfail=abort]${fileName}`
  const slaves = videos.map((video, index) => mp4(withAudio(`v:${index}`), video.fileName))
  if (outputs.audio !== null) {
    slaves.push(mp4("a:0", outputs.audio.fileName))
  }
  if (outputs.hls !== null) {
    videos.forEach((video, index) => {
      const options = [
        `select=${teeValue(withAudio(`v:${index}`))}`,
        "f=hls",
        `hls_time=${encoder.hlsSegmentSeconds}`,
        "hls_playlist_type=vod",
        "hls_segment_type=fmp4",
        "hls_flags=independent_segments",
        `hls_fmp4_init_filename=${variantInitName(video.profile)}`,
        `hls_segment_filename=${hlsFolder}/${variantSegmentPattern(video.profile)}`,
        "onfail=abort"
      ]
      slaves.push(`[${options.join(":")}]${hlsFolder}/${variantPlaylistName(video.profile)}`)
    })
  }
  args.push("-f", "tee", slaves.join("|"))
  return args
}
