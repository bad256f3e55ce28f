/**
 * Validation errors lead with the issue that explains the problem, not with the trivial union
 * members (null, the empty string) a field would also accept.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestServer from "./TestServer.js"

interface ValidationBody {
  readonly code: string
  readonly message: string
  readonly field: string
  readonly issues: ReadonlyArray<{ readonly field: string; readonly message: string }>
}

const post = (path: string, body: unknown) =>
  Effect.gen(function* () {
    const cookies = yield* TestServer.login()
    const response = yield* TestServer.request("POST", path, {
      caller: { cookies, headers: { "x-videoag-csrf": "1", "content-type": "application/json" } },
      body: JSON.stringify(body)
    })
    return { status: response.status, body: response.json as ValidationBody }
  })

describe("validation messages", () => {
  it.layer(TestServer.layer(), { timeout: 60_000 })((it) => {
    it.effect("a nullable field reports what its value lacks", () =>
      Effect.gen(function* () {
        const response = yield* post("/courses", {
          handle: "messages",
          title: "Messages",
          semester: "WS2026"
        })
        expect(response.status).toBe(400)
        expect(response.body.field).toBe("semester")
        expect(response.body.message).toBe(
          'Invalid semester: Expected a semester such as 2026ws or 2027ss, got "WS2026"'
        )
        expect(response.body.issues.map((issue) => issue.field)).toEqual(["semester"])
      })
    )

    it.effect("a too long title names its limit", () =>
      Effect.gen(function* () {
        yield* post("/courses", { handle: "limits", title: "Limits" })
        const response = yield* post("/courses/limits/lectures", {
          startTime: "2026-10-14T10:15:00+02:00",
          title: "a".repeat(600)
        })
        expect(response.status).toBe(400)
        expect(response.body.message).toBe("Invalid title: Expected at most 300 characters")
        expect(response.body.message.length).toBeLessThan(100)
      })
    )

    it.effect("an impossible date is rejected with its value", () =>
      Effect.gen(function* () {
        yield* post("/courses", { handle: "calendar", title: "Calendar" })
        const response = yield* post("/courses/calendar/lectures", {
          startTime: "2026-09-31T10:15:00+02:00"
        })
        expect(response.status).toBe(400)
        expect(response.body.field).toBe("startTime")
        expect(response.body.message).toContain('"2026-09-31T10:15:00+02:00"')
      })
    )
  })
})
