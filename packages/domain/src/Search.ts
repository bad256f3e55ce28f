/**
 * Full-text search over courses and lectures.
 */
import * as Schema from "effect/Schema"
import { Course } from "./Course.js"
import { LectureSummary } from "./Lecture.js"
import { PageQuery } from "./Text.js"

export const SearchQuery = Schema.Struct({
  q: Schema.String.pipe(
    Schema.filter((text) => text.trim() !== "" || "Expected a non-empty search text"),
    Schema.maxLength(200, { message: () => "Expected a search text of at most 200 characters" })
  ).annotations({ description: "Words to search for, e.g. `analysis übungen`" }),
  ...PageQuery
})

export class CourseHit extends Schema.TaggedClass<CourseHit>()("course", {
  rank: Schema.Number,
  course: Course
}) {}

export class LectureHit extends Schema.TaggedClass<LectureHit>()("lecture", {
  rank: Schema.Number,
  lecture: LectureSummary
}) {}

export const SearchHit = Schema.Union(CourseHit, LectureHit)
export type SearchHit = typeof SearchHit.Type

export class SearchResults extends Schema.Class<SearchResults>("SearchResults")({
  items: Schema.Array(SearchHit),
  total: Schema.Int,
  limit: Schema.Int,
  offset: Schema.Int
}) {}
