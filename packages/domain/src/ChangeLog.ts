/**
 * The change log: every moderator write, field by field, with old and new value.
 */
import * as Schema from "effect/Schema"
import { UserId } from "./Ids.js"
import { InstantFromString, IntFromQuery, PageQuery } from "./Text.js"

export const ChangeLogObjectType = Schema.Literal(
  "course",
  "lecture",
  "chapter",
  "medium",
  "announcement",
  "featured",
  "user",
  "job",
  "source_file"
)
export type ChangeLogObjectType = typeof ChangeLogObjectType.Type

export class ChangeLogEntry extends Schema.Class<ChangeLogEntry>("ChangeLogEntry")({
  id: Schema.Int,
  objectType: Schema.String,
  objectId: Schema.Int,
  /** The changed field, or `created` / `deleted` with the whole object as value. */
  field: Schema.String,
  oldValue: Schema.Unknown,
  newValue: Schema.Unknown,
  userId: Schema.NullOr(UserId),
  username: Schema.NullOr(Schema.String),
  changedAt: Schema.Date
}) {}

export const ChangeLogQuery = Schema.Struct({
  objectType: Schema.optional(ChangeLogObjectType),
  objectId: Schema.optional(IntFromQuery(1, Number.MAX_SAFE_INTEGER)),
  since: Schema.optional(InstantFromString),
  ...PageQuery
})

export class ChangeLogPage extends Schema.Class<ChangeLogPage>("ChangeLogPage")({
  items: Schema.Array(ChangeLogEntry),
  total: Schema.Int,
  limit: Schema.Int,
  offset: Schema.Int
}) {}
