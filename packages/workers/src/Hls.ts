/**
 * HLS playlists: reading the files a master or media playlist names, measuring a variant's
 * bandwidth from its segments, and writing the master playlist over every variant. Only the
 * parts of RFC 8216 that the transcode writes and the housekeeping checks are covered.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as MediaRoot from "./MediaRoot.js"

export interface Segment {
  readonly uri: string
  readonly durationSeconds: number
}

export interface ParsedPlaylist {
  /** URIs of variant playlists and renditions (a master playlist). */
  readonly variants: ReadonlyArray<string>
  /** Media segments with their durations (a media playlist). */
  readonly segments: ReadonlyArray<Segment>
  /** Initialization sections named by `#EXT-X-MAP`. */
  readonly maps: ReadonlyArray<string>
}

const uriAttribute = (line: string) => /URI="([^"]*)"/.exec(line)?.[1]

/** Reads the URIs a playlist names; both master and media playlists are understood. */
export const parsePlaylist = (text: string): ParsedPlaylist => {
  const variants: Array<string> = []
  const segments: Array<Segment> = []
  const maps: Array<string> = []
  let pendingDuration: number | null = null
  let pendingVariant = false
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line === "") continue
    if (line.startsWith("#EXTINF:")) {
      pendingDuration = Number.parseFloat(line.slice("#EXTINF:".length))
    } else if (line.startsWith("#EXT-X-STREAM-INF:")) {
      pendingVariant = true
    } else if (line.startsWith("#EXT-X-MAP:")) {
      const uri = uriAttribute(line)
      if (uri !== undefined) maps.push(uri)
    } else if (line.startsWith("#EXT-X-MEDIA:") || line.startsWith("#EXT-X-I-FRAME-STREAM-INF:")) {
      const uri = uriAttribute(line)
      if (uri !== undefined) variants.push(uri)
    } else if (!line.startsWith("#")) {
      if (pendingVariant) {
        variants.push(line)
      } else {
        segments.push({ uri: line, durationSeconds: pendingDuration ?? 0 })
      }
      pendingDuration = null
      pendingVariant = false
    }
  }
  return { variants, segments, maps }
}

/**
 * Whether a URI in a playlist names a file in the playlist's own folder: the transcode writes
 * only such names, so anything else (absolute URLs, `..`) counts as foreign.
 */
export const isLocalFileName = (uri: string) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(uri)

export interface VariantStream {
  readonly playlistUri: string
  readonly width: number
  readonly height: number
  /** RFC 6381 codec string, e.g. `avc1.64001f,mp4a.40.2`. */
  readonly codecs: string
  /** Highest bitrate of any segment, in bits per second. */
  readonly peakBandwidth: number
  readonly averageBandwidth: number
  readonly framesPerSecond: number | null
}

/** Peak and average bitrate of a variant, from its segments' sizes and durations. */
export const measureBandwidth = (
  segments: ReadonlyArray<{ readonly sizeBytes: number; readonly durationSeconds: number }>
) => {
  let peak = 0
  let totalBits = 0
  let totalSeconds = 0
  for (const segment of segments) {
    const bits = segment.sizeBytes * 8
    totalBits += bits
    totalSeconds += segment.durationSeconds
    // Very short segments (the last one) would overstate the peak; measure them over a second.
    peak = Math.max(peak, bits / Math.max(segment.durationSeconds, 1))
  }
  return {
    peakBandwidth: Math.ceil(peak),
    averageBandwidth: totalSeconds > 0 ? Math.ceil(totalBits / totalSeconds) : 0
  }
}

const h264ProfileBytes: Record<string, string> = {
  "Constrained Baseline": "42c0",
  Baseline: "4200",
  Main: "4d40",
  High: "6400"
}

/** Returns the RFC 6381 name of an H.264 stream, e.g. `avc1.64001f` for High profile level 3.1. */
export const h264CodecString = (profile: string | undefined, level: number | undefined) => {
  const profileBytes = h264ProfileBytes[profile ?? ""] ?? "6400"
  const levelByte = Math.max(0, Math.min(255, Math.round(level ?? 40)))
    .toString(16)
    .padStart(2, "0")
  return `avc1.${profileBytes}${levelByte}`
}

/** AAC-LC, the only audio codec the transcode writes. */
export const aacCodecString = "mp4a.40.2"

/** Writes the text of the master playlist over `variants`, largest first. */
export const masterPlaylist = (variants: ReadonlyArray<VariantStream>) => {
  const lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
  for (const variant of [...variants].sort((a, b) => b.height - a.height)) {
    const attributes = [
      `BANDWIDTH=${variant.peakBandwidth}`,
      `AVERAGE-BANDWIDTH=${variant.averageBandwidth}`,
      `RESOLUTION=${variant.width}x${variant.height}`,
      `CODECS="${variant.codecs}"`
    ]
    if (variant.framesPerSecond !== null) {
      attributes.push(`FRAME-RATE=${variant.framesPerSecond.toFixed(3)}`)
    }
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(",")}`, variant.playlistUri)
  }
  return `${lines.join("\n")}\n`
}

export interface PackageContents {
  /** Files the stream consists of: the master, variant playlists, init sections, segments. */
  readonly files: ReadonlyArray<string>
  /** Files a playlist names that do not exist, or names that leave the stream's folder. */
  readonly missing: ReadonlyArray<string>
}

/**
 * Reads the master playlist `masterName` in `directory` and every playlist it names, and lists
 * the files of the stream. Names are relative to `directory`.
 */
export const readPackage = (directory: string, masterName: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const files: Array<string> = [masterName]
    const missing: Array<string> = []
    const readPlaylist = (name: string) =>
      fs
        .readFileString(path.join(directory, name))
        .pipe(
          Effect.mapError(
            MediaRoot.fileSystemFailure("playlist_unreadable", "read the playlist", name)
          )
        )
    const exists = (name: string) =>
      fs
        .exists(path.join(directory, name))
        .pipe(Effect.mapError(MediaRoot.fileSystemFailure("file_unreadable", "check", name)))

    const master = parsePlaylist(yield* readPlaylist(masterName))
    for (const variant of master.variants) {
      if (!isLocalFileName(variant) || !(yield* exists(variant))) {
        missing.push(variant)
        continue
      }
      files.push(variant)
      const media = parsePlaylist(yield* readPlaylist(variant))
      for (const uri of [...media.maps, ...media.segments.map((segment) => segment.uri)]) {
        if (isLocalFileName(uri) && (yield* exists(uri))) {
          files.push(uri)
        } else {
          missing.push(uri)
        }
      }
    }
    const contents: PackageContents = { files: [...new Set(files)], missing }
    return contents
  })
