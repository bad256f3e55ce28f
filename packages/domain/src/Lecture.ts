/**
 * Lectures: one date of a course, with the media recorded there.
 */
import * as Schema from "effect/Schema"
import { LectureAccess } from "./Access.js"
import { Chapter } from "./Chapter.js"
import { CourseId, LectureId } from "./Ids.js"
import { Medium } from "./Medium.js"
import { LectureThumbnails } from "./Thumbnails.js"
import { InstantFromString, Line, Paragraphs, StrictStruct } from "./Text.js"

export class Lecture extends Schema.Class<Lecture>("Lecture")({
  id: LectureId,
  courseId: CourseId,
  startTime: Schema.Date,
  durationMinutes: Schema.NullOr(Schema.Int),
  place: Schema.NullOr(Schema.String),
  title: Schema.String,
  publicComment: Schema.String,
  /** Present for moderators only. */
  internalComment: Schema.optional(Schema.String),
  speaker: Schema.NullOr(Schema.String),
  visible: Schema.Boolean,
  noRecording: Schema.Boolean,
  /** Media the caller may watch: empty unless `access.granted`. */
  media: Schema.Array(Medium),
  /** Poster and storyboard: null unless `access.granted`. */
  thumbnails: LectureThumbnails,
  access: LectureAccess
}) {}

/** A lecture with the handle and title of its course and its chapters. */
export class LectureDetail extends Lecture.extend<LectureDetail>("LectureDetail")({
  courseHandle: Schema.String,
  courseTitle: Schema.String,
  chapters: Schema.Array(Chapter)
}) {}

/** A lecture without media, as search results and featured entries list it. */
export class LectureSummary extends Schema.Class<LectureSummary>("LectureSummary")({
  id: LectureId,
  courseId: CourseId,
  courseHandle: Schema.String,
  courseTitle: Schema.String,
  startTime: Schema.Date,
  durationMinutes: Schema.NullOr(Schema.Int),
  title: Schema.String,
  speaker: Schema.NullOr(Schema.String),
  visible: Schema.Boolean
}) {}

const DurationMinutes = Schema.Int.pipe(
  Schema.between(1, 24 * 60, { message: () => "Expected whole minutes between 1 and 1440" })
)
const LectureTitle = Schema.Union(Schema.Literal(""), Line(300))

export const CreateLecture = StrictStruct({
  startTime: InstantFromString,
  durationMinutes: Schema.optionalWith(Schema.NullOr(DurationMinutes), { default: () => null }),
  place: Schema.optionalWith(Schema.NullOr(Line(200)), { default: () => null }),
  title: Schema.optionalWith(LectureTitle, { default: () => "" }),
  publicComment: Schema.optionalWith(Paragraphs(5_000), { default: () => "" }),
  internalComment: Schema.optionalWith(Paragraphs(5_000), { default: () => "" }),
  speaker: Schema.optionalWith(Schema.NullOr(Line(200)), { default: () => null }),
  visible: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  noRecording: Schema.optionalWith(Schema.Boolean, { default: () => false })
}).annotations({
  identifier: "CreateLecture",
  examples: [
    {
      startTime: new Date("2026-10-14T08:30:00Z"),
      durationMinutes: 90,
      place: "Hörsaal H01",
      title: "Integration im Mehrdimensionalen",
      publicComment: "",
      internalComment: "",
      speaker: null,
      visible: true,
      noRecording: false
    }
  ]
})
export type CreateLecture = typeof CreateLecture.Type

/** Changes to a lecture; fields left out stay as they are. */
export const UpdateLecture = StrictStruct({
  startTime: Schema.optional(InstantFromString),
  durationMinutes: Schema.optional(Schema.NullOr(DurationMinutes)),
  place: Schema.optional(Schema.NullOr(Line(200))),
  title: Schema.optional(LectureTitle),
  publicComment: Schema.optional(Paragraphs(5_000)),
  internalComment: Schema.optional(Paragraphs(5_000)),
  speaker: Schema.optional(Schema.NullOr(Line(200))),
  visible: Schema.optional(Schema.Boolean),
  noRecording: Schema.optional(Schema.Boolean)
}).annotations({
  identifier: "UpdateLecture",
  examples: [{ title: "Integration im Mehrdimensionalen, Teil 2", visible: false }]
})
export type UpdateLecture = typeof UpdateLecture.Type
