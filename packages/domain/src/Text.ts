/**
 * Bounded text schemas for payloads: every string a client sends has a maximum length, so an
 * oversized field is rejected with its name instead of reaching the database.
 */
import * as Schema from "effect/Schema"

/** A trimmed, non-empty single-line string of at most `maxLength` characters. */
export const Line = (maxLength: number) =>
  Schema.Trim.pipe(
    Schema.nonEmptyString({ message: () => "Expected a non-empty text" }),
    Schema.maxLength(maxLength, {
      message: () => `Expected at most ${maxLength} characters`
    }),
    Schema.filter((value) => !/[\r\n]/.test(value), {
      message: () => "Expected a single line without line breaks"
    })
  )

/** Free text (descriptions, comments) of at most `maxLength` characters; may be empty. */
export const Paragraphs = (maxLength: number) =>
  Schema.String.pipe(
    Schema.maxLength(maxLength, { message: () => `Expected at most ${maxLength} characters` })
  )

const instantPattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/

/** Checks that the calendar fields of an ISO 8601 date-time exist, e.g. no 31 September. */
const isCalendarValid = (value: string) => {
  const match = instantPattern.exec(value)
  if (match === null) return false
  const [year, month, day, hour, minute, second = "0", offsetHours = "0", offsetMinutes = "0"] =
    match.slice(1).map((field) => field ?? "0")
  const probe = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))
  return (
    probe.getUTCFullYear() === Number(year) &&
    probe.getUTCMonth() === Number(month) - 1 &&
    probe.getUTCDate() === Number(day) &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHours) <= 14 &&
    Number(offsetMinutes) <= 59
  )
}

/**
 * An ISO 8601 date-time with an offset (`Z` or `+01:00`), decoded to a `Date`. A time without
 * an offset would depend on the server's time zone, and a date that does not exist (31
 * September, hour 25) would silently become another one, so both are rejected.
 */
export const InstantFromString = Schema.String.pipe(
  Schema.filter(
    (value) =>
      (instantPattern.test(value) && isCalendarValid(value)) ||
      `Expected an ISO 8601 date-time with an offset that exists in the calendar, such as 2026-10-14T10:15:00+02:00, got ${JSON.stringify(value)}`
  ),
  Schema.compose(Schema.Date)
)

/** A payload struct that rejects unknown fields instead of silently dropping them. */
export const StrictStruct = <Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.Struct(fields).annotations({ parseOptions: { onExcessProperty: "error" } })

/** `true` or `false` in a query string. */
export const BooleanFromQuery = Schema.Literal("true", "false").pipe(
  Schema.transform(Schema.Boolean, {
    strict: true,
    decode: (text) => text === "true",
    encode: (value) => (value ? "true" : "false")
  })
)

/** A whole number from `min` to `max` in a query string. */
export const IntFromQuery = (min: number, max: number) =>
  Schema.String.pipe(
    Schema.pattern(/^(0|[1-9][0-9]{0,8})$/, {
      message: (issue) => `Expected a whole number, got ${JSON.stringify(issue.actual)}`
    }),
    Schema.compose(Schema.NumberFromString),
    Schema.compose(
      Schema.Int.pipe(
        Schema.between(min, max, { message: () => `Expected a number from ${min} to ${max}` })
      )
    )
  )

/** `limit` and `offset` of a paginated list. */
export const PageQuery = {
  limit: Schema.optionalWith(IntFromQuery(1, 100), { default: () => 20 }),
  offset: Schema.optionalWith(IntFromQuery(0, 100_000), { default: () => 0 })
}

/** A calendar day such as 2026-10-14. */
export const Day = Schema.String.pipe(
  Schema.filter(
    (text) =>
      (/^\d{4}-\d{2}-\d{2}$/.test(text) &&
        !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) &&
        new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)) ||
      `Expected an existing day such as 2026-10-14, got ${JSON.stringify(text)}`
  )
)
