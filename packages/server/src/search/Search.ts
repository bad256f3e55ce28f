/**
 * Full-text search over courses and lectures with PostgreSQL. A document matches when the
 * search text matches its German vector (stemmed: `ubung` finds `Übungen`) or when every word
 * is a prefix of a word of its plain vector (unaccented, not stemmed: names and abbreviations).
 * Rank is the sum of both `ts_rank`s; titles weigh most (A), organizers, speakers and chapter
 * titles less (B), descriptions and comments least (C). A lecture ranks by its best match
 * among itself and its chapters.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  CourseHit,
  LectureHit,
  LectureSummary,
  SearchResults,
  type SearchHit,
  type ViewerInfo
} from "@videoag/domain"
import { orDieOnSqlError } from "@videoag/domain/sql"
import {
  Catalogue,
  courseColumns,
  CourseRecord,
  LectureSummaryRecord,
  isModerator,
  prefixed
} from "../catalogue/Catalogue.js"

const maxWords = 10

/** A `to_tsquery` text that matches documents containing each word as a prefix. */
export const prefixQuery = (text: string) =>
  (
    text
      .normalize("NFC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  )
    .slice(0, maxWords)
    .map((word) => `'${word}':*`)
    .join(" & ")

const HitRecord = Schema.Struct({
  kind: Schema.Literal("course", "lecture"),
  id: Schema.Number,
  rank: Schema.Number
})

export interface SearchRequest {
  readonly q: string
  readonly limit: number
  readonly offset: number
}

export class Search extends Effect.Service<Search>()("@videoag/server/Search", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const catalogue = yield* Catalogue

    const search = (request: SearchRequest, viewer: ViewerInfo) =>
      Effect.gen(function* () {
        const moderator = isModerator(viewer)
        const courseFilter = moderator ? sql`true` : sql`c.visible AND c.listed`
        const lectureFilter = moderator ? sql`true` : sql`l.visible`
        const chapterFilter = moderator ? sql`true` : sql`ch.visible`
        const rows = yield* sql`
          WITH q AS (
            SELECT websearch_to_tsquery('german', ${request.q}) AS german,
                   to_tsquery('videoag_plain', ${prefixQuery(request.q)}) AS plain
          ),
          hits AS (
            SELECT 'course' AS kind, c.id,
                   ts_rank(c.search_german, q.german) + ts_rank(c.search_plain, q.plain) AS rank
            FROM courses c, q
            WHERE c.deleted_at IS NULL AND ${courseFilter}
              AND (c.search_german @@ q.german OR c.search_plain @@ q.plain)
            UNION ALL
            SELECT 'lecture', l.id,
                   greatest(ts_rank(l.search_german, q.german) + ts_rank(l.search_plain, q.plain),
                            coalesce(best.rank, 0))
            FROM lectures l JOIN courses c ON c.id = l.course_id
            CROSS JOIN q
            LEFT JOIN LATERAL (
              SELECT max(ts_rank(ch.search_german, q.german) + ts_rank(ch.search_plain, q.plain)) AS rank
              FROM chapters ch
              WHERE ch.lecture_id = l.id AND ch.deleted_at IS NULL AND ${chapterFilter}
                AND (ch.search_german @@ q.german OR ch.search_plain @@ q.plain)
            ) best ON true
            WHERE l.deleted_at IS NULL AND c.deleted_at IS NULL AND ${courseFilter} AND ${lectureFilter}
              AND (l.search_german @@ q.german OR l.search_plain @@ q.plain OR best.rank IS NOT NULL)
          ),
          page AS (
            SELECT kind, id, rank FROM hits
            ORDER BY rank DESC, kind, id DESC
            LIMIT ${request.limit} OFFSET ${request.offset}
          )
          SELECT page.kind, page.id, page.rank, counted.total
          FROM (SELECT count(*) AS total FROM hits) counted LEFT JOIN page ON true
          ORDER BY page.rank DESC NULLS LAST, page.kind, page.id DESC
        `
        // The outer join keeps one row, carrying the total, when the page is past the last hit.
        const total = Number((rows[0] as { total?: unknown } | undefined)?.total ?? 0)
        const hits = yield* Effect.orDie(
          Schema.decodeUnknown(Schema.Array(HitRecord))(
            rows.filter((row) => (row as { id?: unknown }).id !== null)
          )
        )
        const courseIds = hits.filter((hit) => hit.kind === "course").map((hit) => hit.id)
        const lectureIds = hits.filter((hit) => hit.kind === "lecture").map((hit) => hit.id)
        const courseRecords =
          courseIds.length === 0
            ? []
            : yield* Effect.flatMap(
                sql`SELECT ${sql.literal(courseColumns)} FROM courses WHERE id IN ${sql.in(courseIds)}`,
                (found) => Effect.orDie(Schema.decodeUnknown(Schema.Array(CourseRecord))(found))
              )
        const rules = yield* catalogue.rulesOf(courseIds, [])
        const courses = new Map(
          courseRecords.map((record) => [
            record.id as number,
            catalogue.toCourse(record, rules.byCourse.get(record.id)?.kinds ?? [])
          ])
        )
        const lectureRecords =
          lectureIds.length === 0
            ? []
            : yield* Effect.flatMap(
                sql`
                  SELECT ${sql.literal(prefixed("l", "id, course_id, start_time, duration_minutes, title, speaker, visible"))},
                         c.handle AS course_handle, c.title AS course_title
                  FROM lectures l JOIN courses c ON c.id = l.course_id
                  WHERE l.id IN ${sql.in(lectureIds)}
                `,
                (found) =>
                  Effect.orDie(Schema.decodeUnknown(Schema.Array(LectureSummaryRecord))(found))
              )
        const lectures = new Map(
          lectureRecords.map((record) => [record.id as number, new LectureSummary(record)])
        )
        const items = hits.flatMap((hit): ReadonlyArray<SearchHit> => {
          if (hit.kind === "course") {
            const course = courses.get(hit.id)
            return course ? [new CourseHit({ rank: hit.rank, course })] : []
          }
          const lecture = lectures.get(hit.id)
          return lecture ? [new LectureHit({ rank: hit.rank, lecture })] : []
        })
        return new SearchResults({
          items,
          total,
          limit: request.limit,
          offset: request.offset
        })
      }).pipe(orDieOnSqlError, Effect.withSpan("Search.search"))

    return { search } as const
  }),
  dependencies: [Catalogue.Default]
}) {}
