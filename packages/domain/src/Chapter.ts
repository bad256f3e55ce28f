/**
 * Chapters: named points in a lecture's recording. Viewers may suggest chapters; a suggestion
 * stays hidden until a moderator approves it.
 */
import * as Schema from "effect/Schema"
import { ChapterId, LectureId } from "./Ids.js"
import { Line, StrictStruct } from "./Text.js"

export class Chapter extends Schema.Class<Chapter>("Chapter")({
  id: ChapterId,
  lectureId: LectureId,
  startSeconds: Schema.Number,
  title: Schema.String,
  visible: Schema.Boolean,
  suggestedByViewer: Schema.Boolean
}) {}

const StartSeconds = Schema.Number.pipe(
  Schema.finite({ message: () => "Expected a finite number of seconds" }),
  Schema.between(0, 24 * 3600, { message: () => "Expected seconds between 0 and 86400" })
)

export const CreateChapter = StrictStruct({
  startSeconds: StartSeconds,
  title: Line(300),
  visible: Schema.optionalWith(Schema.Boolean, { default: () => true })
}).annotations({
  identifier: "CreateChapter",
  examples: [{ startSeconds: 754, title: "Satz von Fubini", visible: true }]
})
export type CreateChapter = typeof CreateChapter.Type

export const SuggestChapter = StrictStruct({
  startSeconds: StartSeconds,
  title: Line(300)
}).annotations({
  identifier: "SuggestChapter",
  examples: [{ startSeconds: 1510, title: "Beispiel: Kugelvolumen" }]
})
export type SuggestChapter = typeof SuggestChapter.Type

export const UpdateChapter = StrictStruct({
  startSeconds: Schema.optional(StartSeconds),
  title: Schema.optional(Line(300)),
  visible: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "UpdateChapter", examples: [{ title: "Satz von Fubini (Beweis)" }] })
export type UpdateChapter = typeof UpdateChapter.Type
