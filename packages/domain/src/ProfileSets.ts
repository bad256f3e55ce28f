/**
 * Processing profile sets: which files a course's recordings become. A course names one set.
 * When a source file of one of its lectures has been probed, the orchestrator turns the set into
 * the inputs of the transcode and thumbnail jobs. Encoder settings (preset, quality, bitrate
 * caps, threads) are not part of a set: they come from the workers' configuration.
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** A video rendition: a profile name and the length of the picture's shorter side in pixels. */
export interface RenditionDefinition {
  readonly profile: string
  readonly height: number
}

/** Poster and storyboard settings of a set. */
export interface ThumbnailDefinition {
  /** Second of the video the poster shows; a shorter video gets a frame from its middle. */
  readonly posterOffsetSeconds: number
  /** Largest poster width in pixels; smaller videos keep their own width. */
  readonly posterMaxWidth: number
  /** Width of one storyboard tile in pixels. */
  readonly tileWidth: number
  /** Tiles per row of the storyboard sprite. */
  readonly columns: number
  /** Time between two tiles for videos long enough; shorter videos get denser tiles. */
  readonly intervalSeconds: number
  /** Maximum number of tiles in one sprite; longer videos get a longer interval instead. */
  readonly maxTiles: number
}

export interface ProfileSetDefinition {
  readonly name: string
  readonly description: string
  /** Video renditions, largest first. A rendition larger than the source is skipped. */
  readonly renditions: ReadonlyArray<RenditionDefinition>
  /** Profile name of the audio-only file, or null for none. */
  readonly audioProfile: string | null
  /** Profile name of the HLS stream (a master playlist over every rendition), or null. */
  readonly hlsProfile: string | null
  readonly thumbnails: ThumbnailDefinition | null
}

const standardThumbnails: ThumbnailDefinition = {
  posterOffsetSeconds: 3,
  posterMaxWidth: 1280,
  tileWidth: 160,
  columns: 10,
  intervalSeconds: 10,
  maxTiles: 600
}

/** The profile sets by name; `default` is what a new course gets. */
export const profileSets = {
  default: {
    name: "default",
    description: "1080p, 720p and 360p MP4, an audio-only file, HLS, poster and storyboard",
    renditions: [
      { profile: "1080p", height: 1080 },
      { profile: "720p", height: 720 },
      { profile: "360p", height: 360 }
    ],
    audioProfile: "audio",
    hlsProfile: "hls",
    thumbnails: standardThumbnails
  },
  compact: {
    name: "compact",
    description:
      "720p and 360p MP4, an audio-only file, HLS, poster and storyboard; for slides and blackboards that need no full HD",
    renditions: [
      { profile: "720p", height: 720 },
      { profile: "360p", height: 360 }
    ],
    audioProfile: "audio",
    hlsProfile: "hls",
    thumbnails: standardThumbnails
  },
  "audio-only": {
    name: "audio-only",
    description: "Only the audio-only file, also for video sources",
    renditions: [],
    audioProfile: "audio",
    hlsProfile: null,
    thumbnails: null
  }
} as const satisfies Record<string, ProfileSetDefinition>

export type ProfileSetName = keyof typeof profileSets

const profileSetNames = Object.keys(profileSets) as Array<ProfileSetName>

/** Name of the processing profile set that decides which files a course's recordings become. */
export const ProfileSet = Schema.Literal(...profileSetNames).annotations({
  description: profileSetNames
    .map((name) => `\`${name}\`: ${profileSets[name].description}`)
    .join("; "),
  message: (issue) => ({
    message: `Expected a profile set (one of ${profileSetNames.join(", ")}), got ${JSON.stringify(issue.actual)}`,
    override: true
  })
})
export type ProfileSet = typeof ProfileSet.Type

export const defaultProfileSet: ProfileSetName = "default"

/** The set with the given name, or none for a name no set has. */
export const findProfileSet = (name: string): Option.Option<ProfileSetDefinition> =>
  Object.hasOwn(profileSets, name)
    ? Option.some(profileSets[name as ProfileSetName])
    : Option.none()
