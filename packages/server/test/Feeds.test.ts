/**
 * The feeds parse back: RSS and Atom as well-formed XML with the expected elements, the
 * calendar as iCalendar with one event per visible lecture, special characters intact.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { XMLParser, XMLValidator } from "fast-xml-parser"
import ICAL from "ical.js"
import * as Fixtures from "./Fixtures.js"
import * as TestServer from "./TestServer.js"

const awkward = 'Grenzwerte, Reihen; "Folgen" & <Stetigkeit> \\ Ableitung – Übung'

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" })

/** A parsed XML element: text, attributes (`@name`) and child elements. */
interface XmlElement {
  readonly [name: string]: XmlElement & string
}

const asArray = <T>(value: T | ReadonlyArray<T> | undefined): ReadonlyArray<T> =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as T]

describe("feeds", () => {
  it.layer(TestServer.layer())((it) => {
    let ready = false
    const setup = Effect.gen(function* () {
      if (ready) return
      ready = true
      const courseId = yield* Fixtures.course({
        handle: "feeds",
        title: "Analysis & Co",
        organizer: "Prof. <Beispiel>",
        description: "Alles über Folgen."
      })
      const first = yield* Fixtures.lecture({
        courseId,
        title: awkward,
        startTime: new Date("2026-10-14T08:30:00Z"),
        publicComment: `Zeile eins\nZeile zwei, mit Komma; ${"sehr lang ".repeat(20)}`
      })
      yield* Fixtures.medium(first, "public")
      yield* Fixtures.medium(first, "public", { profile: "audio", name: "first-audio.m4a" })
      const second = yield* Fixtures.lecture({
        courseId,
        title: "Zweiter Termin",
        startTime: new Date("2026-10-21T08:30:00Z")
      })
      yield* Fixtures.medium(second, "public")
      yield* Fixtures.lecture({
        courseId,
        title: "Versteckt",
        visible: false,
        startTime: new Date("2026-10-28T08:30:00Z")
      })
      yield* Fixtures.lecture({
        courseId,
        title: "Geschützt",
        rules: ["moderators"],
        startTime: new Date("2026-11-04T08:30:00Z")
      })
    })

    it.effect("RSS is well-formed with one enclosure per lecture", () =>
      Effect.gen(function* () {
        yield* setup
        const response = yield* TestServer.request("GET", "/courses/feeds/feed.rss")
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toContain("application/rss+xml")
        expect(XMLValidator.validate(response.text)).toBe(true)
        const channel = parser.parse(response.text).rss.channel
        expect(channel.title).toBe("Analysis & Co (720p)")
        const items = asArray<XmlElement>(channel.item)
        expect(items.map((item) => item.title)).toEqual(["Zweiter Termin", awkward])
        for (const item of items) {
          expect(item.enclosure!["@url"]).toMatch(
            /^http:\/\/127\.0\.0\.1:5999\/published\/public\/.+\.mp4$/
          )
          expect(item.enclosure!["@type"]).toBe("video/mp4")
          expect(item.enclosure!["@length"]).toBe("1000")
        }
        expect(items[1]!.pubDate).toBe("Wed, 14 Oct 2026 08:30:00 GMT")
      })
    )

    it.effect("RSS of the audio profile lists the audio files", () =>
      Effect.gen(function* () {
        yield* setup
        const response = yield* TestServer.request("GET", "/courses/feeds/feed.rss?profile=audio")
        expect(XMLValidator.validate(response.text)).toBe(true)
        const items = asArray<XmlElement>(parser.parse(response.text).rss.channel.item)
        expect(items.map((item) => item.enclosure?.["@url"]?.split("/").at(-1))).toEqual([
          "first-audio.m4a"
        ])
        const missing = yield* TestServer.request("GET", "/courses/feeds/feed.rss?profile=1080p")
        expect(missing.status).toBe(404)
        expect((missing.json as { code: string }).code).toBe("profile_not_found")
      })
    )

    it.effect("Atom is well-formed with entries and enclosures", () =>
      Effect.gen(function* () {
        yield* setup
        const response = yield* TestServer.request("GET", "/courses/feeds/feed.atom")
        expect(response.headers.get("content-type")).toContain("application/atom+xml")
        expect(XMLValidator.validate(response.text)).toBe(true)
        const feed = parser.parse(response.text).feed
        expect(feed["@xmlns"]).toBe("http://www.w3.org/2005/Atom")
        expect(feed.title).toBe("Analysis & Co")
        expect(feed.author.name).toBe("Prof. <Beispiel>")
        const entries = asArray<XmlElement>(feed.entry)
        expect(entries.map((entry) => entry.title)).toEqual(["Zweiter Termin", awkward])
        const links = asArray<Record<string, string>>(entries[1]!.link)
        expect(links.filter((link) => link["@rel"] === "enclosure")).toHaveLength(2)
        expect(entries[1]!.id).toMatch(/^https:\/\/video\.example\.org\/feeds\/\d+$/)
      })
    )

    it.effect("the calendar parses as iCalendar with visible lectures", () =>
      Effect.gen(function* () {
        yield* setup
        const response = yield* TestServer.request("GET", "/courses/feeds/calendar.ics")
        expect(response.headers.get("content-type")).toContain("text/calendar")
        for (const line of response.text.split("\r\n")) {
          expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75)
        }
        const calendar = new ICAL.Component(ICAL.parse(response.text))
        expect(calendar.getFirstPropertyValue("version")).toBe("2.0")
        const events = calendar
          .getAllSubcomponents("vevent")
          .map((component) => new ICAL.Event(component))
        expect(events.map((event) => event.summary)).toEqual([
          `Analysis & Co: ${awkward}`,
          "Analysis & Co: Zweiter Termin",
          "Analysis & Co: Geschützt"
        ])
        const [first] = events
        expect(first!.startDate.toJSDate().toISOString()).toBe("2026-10-14T08:30:00.000Z")
        expect(first!.endDate.toJSDate().toISOString()).toBe("2026-10-14T10:00:00.000Z")
        expect(first!.location).toBe("Hörsaal H01")
        expect(first!.description).toContain("Zeile eins\nZeile zwei, mit Komma;")
        expect(first!.uid).toMatch(/^lecture-\d+@videoag$/)
      })
    )

    it.effect("feeds of a hidden or unknown course answer 404 as JSON", () =>
      Effect.gen(function* () {
        yield* setup
        yield* Fixtures.course({ handle: "hidden-feed", title: "Hidden", visible: false })
        for (const path of ["/courses/hidden-feed/feed.rss", "/courses/nope/calendar.ics"]) {
          const response = yield* TestServer.request("GET", path)
          expect(response.status).toBe(404)
          expect((response.json as { code: string }).code).toBe("course_not_found")
        }
      })
    )
  })
})
