/**
 * Published media: the files of a lecture a viewer can stream or download.
 */
import * as Schema from "effect/Schema"
import { MediumId } from "./Ids.js"
import { StrictStruct } from "./Text.js"

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
  url: Schema.String.annotations({
    description:
      "Address of the file at the file provider; signed and time-limited for protected lectures"
  }),
  downloadUrl: Schema.NullOr(Schema.String).annotations({
    description:
      "Address that makes the browser save the file; null when the course does not allow downloads"
  }),
  mimeType: Schema.String,
  sizeBytes: Schema.Int,
  durationSeconds: Schema.Number,
  width: Schema.NullOr(Schema.Int),
  height: Schema.NullOr(Schema.Int),
  /** False for media a moderator hid; only moderators see those. */
  visible: Schema.Boolean
}) {}

export const UpdateMedium = StrictStruct({
  visible: Schema.Boolean
}).annotations({ identifier: "UpdateMedium", examples: [{ visible: false }] })
export type UpdateMedium = typeof UpdateMedium.Type
