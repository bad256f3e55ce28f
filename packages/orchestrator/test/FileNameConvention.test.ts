import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FileNameConvention from "../src/FileNameConvention.js"

const reasonOf = (name: string) =>
  Either.match(FileNameConvention.parse(name), {
    onLeft: (unmatched) => unmatched.reason,
    onRight: () => "matched"
  })

describe("FileNameConvention", () => {
  it("reads handle, date and time in both time forms", () => {
    expect(FileNameConvention.parse("analysis-1_2026-10-14_10-15.mp4")).toEqual(
      Either.right({
        courseHandle: "analysis-1",
        year: 2026,
        month: 10,
        day: 14,
        hour: 10,
        minute: 15
      })
    )
    expect(
      Either.map(FileNameConvention.parse("Analysis-1_2026-10-14_1015_Hörsaal 2.MKV"), (name) => [
        name.courseHandle,
        name.hour,
        name.minute
      ])
    ).toEqual(Either.right(["analysis-1", 10, 15]))
  })

  it("names the reason a file does not match", () => {
    expect(reasonOf("analysis_2026-10-14_10-15.txt")).toBe("unsupported_extension")
    expect(reasonOf("analysis_2026-10-14_10-15")).toBe("unsupported_extension")
    expect(reasonOf("analysis 2026-10-14 10-15.mp4")).toBe("name_not_recognized")
    expect(reasonOf("analysis_14.10.2026_10-15.mp4")).toBe("name_not_recognized")
    expect(reasonOf("-analysis_2026-10-14_10-15.mp4")).toBe("name_not_recognized")
    expect(reasonOf("analysis_2026-13-01_10-15.mp4")).toBe("invalid_date")
    expect(reasonOf("analysis_2027-02-29_10-15.mp4")).toBe("invalid_date")
    expect(reasonOf("analysis_2026-10-14_24-00.mp4")).toBe("invalid_date")
    expect(reasonOf("analysis_2028-02-29_10-15.mp4")).toBe("matched")
  })

  it("turns local times into instants across daylight saving", () => {
    const instant = (name: string) =>
      Either.getOrThrow(
        Either.map(FileNameConvention.parse(name), (parsed) =>
          FileNameConvention.instantOf(parsed, "Europe/Berlin").toISOString()
        )
      )
    expect(instant("a_2026-10-14_10-15.mp4")).toBe("2026-10-14T08:15:00.000Z")
    expect(instant("a_2026-11-04_10-15.mp4")).toBe("2026-11-04T09:15:00.000Z")
    expect(instant("a_2026-03-29_03-30.mp4")).toBe("2026-03-29T01:30:00.000Z")
    expect(FileNameConvention.formatLocal(new Date("2026-11-04T09:15:00Z"), "Europe/Berlin")).toBe(
      "2026-11-04 10:15"
    )
  })
})
