import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { InstantFromString } from "../src/Text.js"

const decode = Schema.decodeUnknownEither(InstantFromString)

describe("InstantFromString", () => {
  it("decodes date-times with an offset", () => {
    expect(Either.map(decode("2026-10-14T10:15:00+02:00"), (date) => date.toISOString())).toEqual(
      Either.right("2026-10-14T08:15:00.000Z")
    )
    expect(Either.map(decode("2028-02-29T10:15Z"), (date) => date.toISOString())).toEqual(
      Either.right("2028-02-29T10:15:00.000Z")
    )
  })

  it("rejects dates the calendar does not have", () => {
    for (const value of [
      "2026-09-31T10:15:00+02:00",
      "2026-02-29T10:15:00+01:00",
      "2026-02-30T10:15:00+01:00",
      "2026-13-01T10:00Z",
      "2026-10-14T25:00:00Z",
      "2026-10-14T10:60:00Z",
      "2026-10-14T10:15:00+25:00"
    ]) {
      const result = decode(value)
      expect(Either.isLeft(result), value).toBe(true)
      expect(Either.isLeft(result) && result.left.message, value).toContain(JSON.stringify(value))
    }
  })

  it("rejects times without an offset", () => {
    for (const value of ["2026-10-14T10:15:00", "14.10.2026 10:15", "2026-10-14"]) {
      expect(Either.isLeft(decode(value)), value).toBe(true)
    }
  })
})
