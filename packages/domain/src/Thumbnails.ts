/**
 * The pictures of a lecture: a poster to show before playback and a storyboard for previews
 * while seeking.
 */
import * as Schema from "effect/Schema"

export class Poster extends Schema.Class<Poster>("Poster")({
  url: Schema.String,
  width: Schema.NullOr(Schema.Int),
  height: Schema.NullOr(Schema.Int)
}) {}

export class StoryboardImages extends Schema.Class<StoryboardImages>("StoryboardImages")({
  /** WebVTT track whose cues name a tile of the sprite with a `#xywh=` fragment each. */
  trackUrl: Schema.String,
  /** The sprite: every tile in one JPEG image, row by row. */
  spriteUrl: Schema.String,
  width: Schema.NullOr(Schema.Int),
  height: Schema.NullOr(Schema.Int)
}) {}

/** The newest poster and storyboard of a lecture; both null until they exist or access is granted. */
export class LectureThumbnails extends Schema.Class<LectureThumbnails>("LectureThumbnails")({
  poster: Schema.NullOr(Poster),
  storyboard: Schema.NullOr(StoryboardImages)
}) {}

export const noThumbnails = new LectureThumbnails({ poster: null, storyboard: null })
