/**
 * Lectures: one date of a course, with the media recorded there.
 */
import * as Schema from "effect/Schema"
import { CourseId, LectureId } from "./Ids.js"
import { Medium } from "./Medium.js"
import { InstantFromString, Line, Paragraphs, StrictStruct } from "./Text.js"

export class Lecture extends Schema.Class<Lecture>("Lecture")({
  id: LectureId,
  courseId: CourseId,
  startTime: Schema.Date,
  durationMinutes: Schema.NullOr(Schema.Int),
  place: Schema.NullOr(Schema.String),
  title: Schema.String,
  publicComment: Schema.String,
  speaker: Schema.NullOr(Schema.String),
  visible: Schema.Boolean,
  noRecording: Schema.Boolean,
  media: Schema.Array(Medium)
}) {}

/** A lecture with the handle and title of its course. */
export class LectureDetail extends Lecture.extend<LectureDetail>("LectureDetail")({
  courseHandle: Schema.String,
  courseTitle: Schema.String
}) {}

export const CreateLecture = StrictStruct({
  startTime: InstantFromString,
  durationMinutes: Schema.optionalWith(
    Schema.NullOr(
      Schema.Int.pipe(
        Schema.between(1, 24 * 60, { message: () => "Expected whole minutes between 1 and 1440" })
      )
    ),
    { default: () => null }
  ),
  place: Schema.optionalWith(Schema.NullOr(Line(200)), { default: () => null }),
  title: Schema.optionalWith(Schema.Union(Schema.Literal(""), Line(300)), { default: () => "" }),
  publicComment: Schema.optionalWith(Paragraphs(5_000), { default: () => "" }),
  internalComment: Schema.optionalWith(Paragraphs(5_000), { default: () => "" }),
  speaker: Schema.optionalWith(Schema.NullOr(Line(200)), { default: () => null }),
  visible: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  noRecording: Schema.optionalWith(Schema.Boolean, { default: () => false })
}).annotations({ identifier: "CreateLecture" })
export type CreateLecture = typeof CreateLecture.Type
