/**
 * Featured entries: the ordered list on the home page. An entry points to a course, a lecture,
 * or nothing (a plain text panel).
 */
import * as Schema from "effect/Schema"
import { Course, CourseHandle } from "./Course.js"
import { FeaturedId, LectureId } from "./Ids.js"
import { LectureSummary } from "./Lecture.js"
import { Line, Paragraphs, StrictStruct } from "./Text.js"

export class Featured extends Schema.Class<Featured>("Featured")({
  id: FeaturedId,
  position: Schema.Int,
  title: Schema.NullOr(Schema.String),
  text: Schema.String,
  visible: Schema.Boolean,
  course: Schema.NullOr(Course),
  lecture: Schema.NullOr(LectureSummary)
}) {}

export const CreateFeatured = StrictStruct({
  title: Schema.optionalWith(Schema.NullOr(Line(300)), { default: () => null }),
  text: Schema.optionalWith(Paragraphs(5_000), { default: () => "" }),
  visible: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  courseHandle: Schema.optionalWith(Schema.NullOr(CourseHandle), { default: () => null }),
  lectureId: Schema.optionalWith(Schema.NullOr(LectureId), { default: () => null })
})
  .pipe(
    Schema.filter(
      (entry) =>
        entry.courseHandle === null ||
        entry.lectureId === null ||
        "Expected a course or a lecture, not both"
    )
  )
  .annotations({
    identifier: "CreateFeatured",
    examples: [
      {
        title: "Neu: Analysis I",
        text: "Alle Termine des Wintersemesters",
        visible: true,
        courseHandle: "ana1-2026ws" as CourseHandle,
        lectureId: null
      }
    ]
  })
export type CreateFeatured = typeof CreateFeatured.Type

export const UpdateFeatured = StrictStruct({
  title: Schema.optional(Schema.NullOr(Line(300))),
  text: Schema.optional(Paragraphs(5_000)),
  visible: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "UpdateFeatured", examples: [{ visible: false }] })
export type UpdateFeatured = typeof UpdateFeatured.Type

/** The new order of all featured entries, first entry first. */
export const ReorderFeatured = StrictStruct({
  ids: Schema.Array(FeaturedId).pipe(
    Schema.maxItems(1000),
    Schema.filter((ids) => new Set(ids).size === ids.length || "Expected each id once")
  )
}).annotations({
  identifier: "ReorderFeatured",
  examples: [{ ids: [3, 1, 2].map((id) => FeaturedId.make(id)) }]
})
export type ReorderFeatured = typeof ReorderFeatured.Type
