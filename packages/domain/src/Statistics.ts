/**
 * View statistics for moderators: views per day of a medium, a lecture or a course.
 */
import * as Schema from "effect/Schema"
import { Day } from "./Text.js"

export const StatisticsQuery = Schema.Struct({
  from: Schema.optional(Day).annotations({ description: "First day; 30 days ago by default" }),
  to: Schema.optional(Day).annotations({ description: "Last day; today by default" })
})

export class DailyViews extends Schema.Class<DailyViews>("DailyViews")({
  day: Schema.String,
  views: Schema.Int
}) {}

export class ViewStatistics extends Schema.Class<ViewStatistics>("ViewStatistics")({
  from: Schema.String,
  to: Schema.String,
  total: Schema.Int,
  /** One entry per day with views; days without views are left out. */
  days: Schema.Array(DailyViews)
}) {}
