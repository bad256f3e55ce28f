/**
 * Published media: the files of a lecture a viewer can stream or download.
 */
import * as Schema from "effect/Schema"
import { MediumId } from "./Ids.js"

/** Rendition name, e.g. `720p`, `360p` or `audio`. */
export const MediaProfile = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9][a-z0-9_-]{0,31}$/, {
    message: (issue) =>
      `Expected a profile name such as 720p or audio, got ${JSON.stringify(issue.actual)}`
  })
)

export class Medium extends Schema.Class<Medium>("Medium")({
  id: MediumId,
  profile: Schema.String,
  url: Schema.String.annotations({ description: "Address of the file at the file provider" }),
  mimeType: Schema.String,
  sizeBytes: Schema.Int,
  durationSeconds: Schema.Number,
  width: Schema.NullOr(Schema.Int),
  height: Schema.NullOr(Schema.Int)
}) {}
