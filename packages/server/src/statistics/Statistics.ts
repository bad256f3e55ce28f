/**
 * View statistics for moderators: views per day of a medium, or summed over the media of a
 * lecture or a course. Days are Europe/Berlin calendar days.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import type * as Statement from "@effect/sql/Statement"
import * as Effect from "effect/Effect"
import {
  DailyViews,
  NotFound,
  ValidationError,
  ViewStatistics,
  type CourseHandle,
  type LectureId,
  type MediumId
} from "@videoag/domain"
import { orDieOnSqlError } from "@videoag/domain/sql"
import { courseNotFound, lectureNotFound } from "../catalogue/Catalogue.js"

/** Longest range one request may ask for. */
const maxDays = 3 * 366

export interface DayRange {
  readonly from?: string | undefined
  readonly to?: string | undefined
}

const dayOf = (date: Date) =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Berlin",
    year: "numeric",
    month: "2-digit",
    day: "2-digit"
  }).format(date)

const resolveRange = (range: DayRange) =>
  Effect.gen(function* () {
    const to = range.to ?? dayOf(new Date())
    const from = range.from ?? dayOf(new Date(Date.parse(`${to}T12:00:00Z`) - 29 * 86_400_000))
    const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000
    if (Number.isNaN(span) || span < 0) {
      return yield* new ValidationError({
        code: "invalid_request",
        message: `Invalid from: Expected a day on or before ${to}, got ${from}`,
        field: "from"
      })
    }
    if (span >= maxDays) {
      return yield* new ValidationError({
        code: "invalid_request",
        message: `Invalid from: Expected a range of at most ${maxDays} days`,
        field: "from"
      })
    }
    return { from, to }
  })

export class Statistics extends Effect.Service<Statistics>()("@videoag/server/Statistics", {
  effect: Effect.gen(function* () {
    const sql = yield* PgClient.PgClient

    const viewsOf = (
      mediumCondition: Statement.Fragment,
      range: { readonly from: string; readonly to: string }
    ) =>
      Effect.map(
        sql<{ day: string; views: number }>`
          SELECT to_char(v.day, 'YYYY-MM-DD') AS day, sum(v.count)::int AS views
          FROM view_counts v JOIN media m ON m.id = v.medium_id
          WHERE ${mediumCondition} AND v.day BETWEEN ${range.from}::date AND ${range.to}::date
          GROUP BY v.day ORDER BY v.day
        `,
        (rows) =>
          new ViewStatistics({
            from: range.from,
            to: range.to,
            total: rows.reduce((sum, row) => sum + row.views, 0),
            days: rows.map((row) => new DailyViews(row))
          })
      )

    const medium = (id: MediumId, range: DayRange) =>
      Effect.gen(function* () {
        const days = yield* resolveRange(range)
        const rows = yield* sql`SELECT id FROM media WHERE id = ${id}`
        if (rows.length === 0) {
          return yield* new NotFound({
            code: "medium_not_found",
            message: `No medium with the id ${id}`
          })
        }
        return yield* viewsOf(sql`m.id = ${id}`, days)
      }).pipe(orDieOnSqlError, Effect.withSpan("Statistics.medium"))

    const lecture = (id: LectureId, range: DayRange) =>
      Effect.gen(function* () {
        const days = yield* resolveRange(range)
        const rows = yield* sql`SELECT id FROM lectures WHERE id = ${id}`
        if (rows.length === 0) return yield* lectureNotFound(id)
        return yield* viewsOf(sql`m.lecture_id = ${id}`, days)
      }).pipe(orDieOnSqlError, Effect.withSpan("Statistics.lecture"))

    const course = (handle: CourseHandle, range: DayRange) =>
      Effect.gen(function* () {
        const days = yield* resolveRange(range)
        const rows = yield* sql<{ id: number }>`SELECT id FROM courses WHERE handle = ${handle}`
        const [found] = rows
        if (found === undefined) return yield* courseNotFound(handle)
        return yield* viewsOf(
          sql`m.lecture_id IN (SELECT id FROM lectures WHERE course_id = ${found.id})`,
          days
        )
      }).pipe(orDieOnSqlError, Effect.withSpan("Statistics.course"))

    return { medium, lecture, course } as const
  })
}) {}
