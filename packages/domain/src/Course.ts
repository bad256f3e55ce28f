/**
 * Courses: a lecture series in one semester, addressed in URLs by its handle.
 */
import * as Schema from "effect/Schema"
import { AccessRuleKind } from "./Access.js"
import { CourseId } from "./Ids.js"
import { Lecture } from "./Lecture.js"
import { ProfileSet } from "./ProfileSets.js"
import { BooleanFromQuery, Line, Paragraphs, StrictStruct } from "./Text.js"

/** URL-safe course name: lowercase letters, digits and inner hyphens, at most 64 characters. */
export const CourseHandle = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, {
    message: (issue) =>
      `Expected a course handle of lowercase letters, digits and inner hyphens (at most 64 characters), got ${JSON.stringify(issue.actual)}`
  }),
  Schema.brand("CourseHandle")
)
export type CourseHandle = typeof CourseHandle.Type

/** Semester in the university's notation: the year the semester starts and `ws` or `ss`. */
export const Semester = Schema.String.pipe(
  Schema.pattern(/^\d{4}(?:ws|ss)$/, {
    message: (issue) =>
      `Expected a semester such as 2026ws or 2027ss, got ${JSON.stringify(issue.actual)}`
  })
)

/** ISO 639-1 language code of the lectures. */
export const Language = Schema.String.pipe(
  Schema.pattern(/^[a-z]{2}$/, {
    message: (issue) =>
      `Expected a two-letter language code such as de or en, got ${JSON.stringify(issue.actual)}`
  })
)

export { ProfileSet } from "./ProfileSets.js"

export class Course extends Schema.Class<Course>("Course")({
  id: CourseId,
  handle: CourseHandle,
  semester: Schema.NullOr(Schema.String),
  title: Schema.String,
  shortTitle: Schema.NullOr(Schema.String),
  organizer: Schema.NullOr(Schema.String),
  topic: Schema.NullOr(Schema.String),
  description: Schema.String,
  language: Schema.String,
  visible: Schema.Boolean,
  listed: Schema.Boolean,
  downloadable: Schema.Boolean,
  profileSet: Schema.String,
  /** Kinds of the rules set on the course; empty means public. */
  accessRules: Schema.Array(AccessRuleKind),
  createdAt: Schema.Date,
  updatedAt: Schema.Date
}) {}

/** A course with its visible lectures, each with the media the caller may watch. */
export class CourseDetail extends Course.extend<CourseDetail>("CourseDetail")({
  lectures: Schema.Array(Lecture)
}) {}

export const CreateCourse = StrictStruct({
  handle: CourseHandle,
  title: Line(300),
  semester: Schema.optionalWith(Schema.NullOr(Semester), { default: () => null }),
  shortTitle: Schema.optionalWith(Schema.NullOr(Line(100)), { default: () => null }),
  organizer: Schema.optionalWith(Schema.NullOr(Line(300)), { default: () => null }),
  topic: Schema.optionalWith(Schema.NullOr(Line(300)), { default: () => null }),
  description: Schema.optionalWith(Paragraphs(20_000), { default: () => "" }),
  language: Schema.optionalWith(Language, { default: () => "de" }),
  visible: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  listed: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  downloadable: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  profileSet: Schema.optionalWith(ProfileSet, { default: () => "default" as const })
}).annotations({
  identifier: "CreateCourse",
  examples: [
    {
      handle: "ana1-2026ws" as CourseHandle,
      title: "Analysis I",
      semester: "2026ws",
      shortTitle: "Ana I",
      organizer: "Prof. Dr. Beispiel",
      topic: "Mathematik",
      description: "Grundvorlesung Analysis für Studierende der Mathematik und Physik.",
      language: "de",
      visible: true,
      listed: true,
      downloadable: true,
      profileSet: "default"
    }
  ]
})
export type CreateCourse = typeof CreateCourse.Type

/** Changes to a course; fields left out stay as they are. */
export const UpdateCourse = StrictStruct({
  handle: Schema.optional(CourseHandle),
  title: Schema.optional(Line(300)),
  semester: Schema.optional(Schema.NullOr(Semester)),
  shortTitle: Schema.optional(Schema.NullOr(Line(100))),
  organizer: Schema.optional(Schema.NullOr(Line(300))),
  topic: Schema.optional(Schema.NullOr(Line(300))),
  description: Schema.optional(Paragraphs(20_000)),
  language: Schema.optional(Language),
  visible: Schema.optional(Schema.Boolean),
  listed: Schema.optional(Schema.Boolean),
  downloadable: Schema.optional(Schema.Boolean),
  profileSet: Schema.optional(ProfileSet)
}).annotations({
  identifier: "UpdateCourse",
  examples: [{ title: "Analysis I (Wiederholung)", listed: false }]
})
export type UpdateCourse = typeof UpdateCourse.Type

/** Filters of the course list. Viewers always get listed courses only. */
export const CourseListQuery = Schema.Struct({
  semester: Schema.optional(Semester),
  listed: Schema.optional(BooleanFromQuery).annotations({
    description: "Moderators only: `false` lists the unlisted courses"
  })
})

/** One semester and its listed courses; `semester` is null for courses without one. */
export class SemesterCourses extends Schema.Class<SemesterCourses>("SemesterCourses")({
  semester: Schema.NullOr(Schema.String),
  courses: Schema.Array(Course)
}) {}
