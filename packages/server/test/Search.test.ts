import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Fixtures from "./Fixtures.js"
import * as TestServer from "./TestServer.js"

interface Hit {
  readonly _tag: "course" | "lecture"
  readonly rank: number
  readonly course?: { readonly handle: string; readonly title: string }
  readonly lecture?: { readonly id: number; readonly title: string }
}
interface Results {
  readonly items: ReadonlyArray<Hit>
  readonly total: number
}

const search = (query: string) =>
  Effect.map(
    TestServer.request("GET", `/search?${new URLSearchParams({ q: query }).toString()}`),
    (response) => {
      expect(response.status, response.text).toBe(200)
      return response.json as Results
    }
  )

const titles = (results: Results) =>
  results.items.map((hit) => hit.course?.title ?? hit.lecture?.title)

describe("search", () => {
  it.layer(TestServer.layer())((it) => {
    const setup = Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const existing = yield* sql`SELECT id FROM courses WHERE handle = 'ana1'`
      if (existing.length > 0) return
      const analysis = yield* Fixtures.course({
        handle: "ana1",
        title: "Analysis I",
        organizer: "Prof. Dr. Weierstraß",
        description: "Folgen, Reihen und Stetigkeit."
      })
      yield* Fixtures.course({
        handle: "la1",
        title: "Lineare Algebra I",
        description: "Vektorräume, mit einem Blick auf die Analysis."
      })
      const exercises = yield* Fixtures.lecture({
        courseId: analysis,
        title: "Übungen zur Stetigkeit"
      })
      yield* Fixtures.lecture({ courseId: analysis, title: "Konvergenz von Reihen" })
      yield* sql`
        INSERT INTO chapters (lecture_id, start_seconds, title)
        VALUES (${exercises}, 120, 'Der Zwischenwertsatz')
      `
      yield* Fixtures.course({ handle: "secret", title: "Analysis für Eingeweihte", listed: false })
    })

    it.effect("finds Analysis for analysis", () =>
      Effect.gen(function* () {
        yield* setup
        const results = yield* search("analysis")
        expect(titles(results)).toContain("Analysis I")
      })
    )

    it.effect("finds Übungen for ubung", () =>
      Effect.gen(function* () {
        yield* setup
        const results = yield* search("ubung")
        expect(titles(results)).toEqual(["Übungen zur Stetigkeit"])
        const plural = yield* search("Übung")
        expect(titles(plural)).toEqual(["Übungen zur Stetigkeit"])
      })
    )

    it.effect("ranks a title hit above a description hit", () =>
      Effect.gen(function* () {
        yield* setup
        const results = yield* search("Analysis")
        expect(titles(results)).toEqual(["Analysis I", "Lineare Algebra I"])
        const [first, second] = results.items
        expect(first!.rank).toBeGreaterThan(second!.rank)
      })
    )

    it.effect("finds lectures through their chapters", () =>
      Effect.gen(function* () {
        yield* setup
        const results = yield* search("Zwischenwertsatz")
        expect(titles(results)).toEqual(["Übungen zur Stetigkeit"])
      })
    )

    it.effect("falls back to unaccented prefixes", () =>
      Effect.gen(function* () {
        yield* setup
        expect(titles(yield* search("weierstra"))).toEqual(["Analysis I"])
        expect(titles(yield* search("vektorraum"))).toEqual(["Lineare Algebra I"])
        expect(titles(yield* search("konverg"))).toEqual(["Konvergenz von Reihen"])
      })
    )

    it.effect("leaves out unlisted courses", () =>
      Effect.gen(function* () {
        yield* setup
        expect(titles(yield* search("Eingeweihte"))).toEqual([])
      })
    )

    it.effect("paginates with a total", () =>
      Effect.gen(function* () {
        yield* setup
        const response = yield* TestServer.request("GET", "/search?q=reihen&limit=1&offset=1")
        const page = response.json as Results & { limit: number; offset: number }
        expect(page.total).toBe(2)
        expect(page.items).toHaveLength(1)
        expect(page.limit).toBe(1)
        expect(page.offset).toBe(1)

        const beyond = yield* TestServer.request("GET", "/search?q=reihen&limit=1&offset=5")
        const empty = beyond.json as Results
        expect(empty.items).toEqual([])
        expect(empty.total).toBe(2)
      })
    )

    it.effect("answers stop words and punctuation with an empty list", () =>
      Effect.gen(function* () {
        yield* setup
        expect((yield* search("der die das")).items).toEqual([])
        expect((yield* search("!!! ''' :*")).items).toEqual([])
      })
    )
  })
})
