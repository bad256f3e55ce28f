/**
 * The client address comes from X-Forwarded-For only when the direct peer is a trusted proxy.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { clientAddressOf, parseAddressRanges } from "../src/access/ClientAddress.js"
import * as Fixtures from "./Fixtures.js"
import * as TestServer from "./TestServer.js"

interface LectureJson {
  readonly media: ReadonlyArray<unknown>
  readonly access: { readonly granted: boolean }
}

describe("clientAddressOf", () => {
  const trusted = Either.getOrThrow(parseAddressRanges(["127.0.0.1/32", "10.0.0.0/8"]))

  it("uses the peer when it is not a trusted proxy", () => {
    expect(clientAddressOf("203.0.113.9", "10.20.3.4", trusted)).toBe("203.0.113.9")
  })

  it("takes the first untrusted hop from the right", () => {
    expect(clientAddressOf("127.0.0.1", "198.51.100.1, 203.0.113.5, 10.1.1.1", trusted)).toBe(
      "203.0.113.5"
    )
  })

  it("maps IPv4 in IPv6 to IPv4", () => {
    expect(clientAddressOf("::ffff:127.0.0.1", "::ffff:198.51.100.1", trusted)).toBe("198.51.100.1")
  })

  it("falls back to the peer for a malformed header", () => {
    expect(clientAddressOf("127.0.0.1", "not-an-address", trusted)).toBe("127.0.0.1")
  })

  it("rejects malformed ranges", () => {
    expect(Either.isLeft(parseAddressRanges(["10.0.0.0/33"]))).toBe(true)
    expect(Either.isLeft(parseAddressRanges(["campus"]))).toBe(true)
    expect(Either.isLeft(parseAddressRanges(["2001:db8::/129"]))).toBe(true)
    expect(Either.isRight(parseAddressRanges(["2001:db8::/32", "192.0.2.7"]))).toBe(true)
  })
})

describe("university network behind no trusted proxy", () => {
  it.layer(TestServer.layer({ trustedProxies: [] }))((it) => {
    it.effect("ignores X-Forwarded-For from an untrusted peer", () =>
      Effect.gen(function* () {
        const courseId = yield* Fixtures.course({
          handle: "campus",
          title: "Campus only",
          rules: ["university_network"]
        })
        const lectureId = yield* Fixtures.lecture({ courseId, title: "Campus lecture" })
        yield* Fixtures.medium(lectureId, "protected")
        const response = yield* TestServer.request("GET", `/lectures/${lectureId}`, {
          caller: { forwardedFor: "10.20.3.4" }
        })
        expect(response.status).toBe(200)
        expect((response.json as LectureJson).access.granted).toBe(false)
        expect((response.json as LectureJson).media).toEqual([])
      })
    )
  })
})
