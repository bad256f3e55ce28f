/**
 * Per-course feeds: RSS 2.0 with podcast enclosures (one feed per profile), Atom, and an
 * iCalendar of the lecture dates. They show what the caller may see: visible lectures, and
 * media only of lectures whose access rules let the caller in.
 */
import * as Effect from "effect/Effect"
import {
  NotFound,
  type CourseHandle,
  type Lecture,
  type Medium,
  type ViewerInfo
} from "@videoag/domain"
import { orDieOnSqlError } from "@videoag/domain/sql"
import { Catalogue, type CourseRecord } from "../catalogue/Catalogue.js"
import { ServerConfig } from "../ServerConfig.js"
import { icalDateTime, icalEscape, icalFold, rfc822, xmlEscape } from "./Formats.js"

/** Length of a calendar event for a lecture without a stored duration. */
const defaultDurationMinutes = 90

const lectureTitle = (course: CourseRecord, lecture: Lecture) =>
  lecture.title !== ""
    ? lecture.title
    : `${course.title}, ${lecture.startTime.toLocaleDateString("de-DE", { timeZone: "Europe/Berlin" })}`

/** The rendition a feed offers when none is asked for: the tallest video, else any medium. */
const defaultProfile = (lectures: ReadonlyArray<Lecture>) => {
  const media = lectures.flatMap((lecture) => lecture.media)
  const sorted = [...media].sort((a, b) => (b.height ?? 0) - (a.height ?? 0))
  return sorted[0]?.profile
}

export class Feeds extends Effect.Service<Feeds>()("@videoag/server/Feeds", {
  effect: Effect.gen(function* () {
    const catalogue = yield* Catalogue
    const settings = yield* ServerConfig

    const courseUrl = (course: CourseRecord) => `${settings.siteUrl}/${course.handle}`
    const lectureUrl = (course: CourseRecord, lecture: Lecture) =>
      `${settings.siteUrl}/${course.handle}/${lecture.id}`

    const load = (handle: CourseHandle, viewer: ViewerInfo) =>
      Effect.gen(function* () {
        const course = yield* catalogue.loadCourse(handle, viewer)
        const { lectures } = yield* catalogue.courseLectures(course, viewer)
        return { course, lectures }
      })

    const rss = (handle: CourseHandle, profile: string | undefined, viewer: ViewerInfo) =>
      Effect.gen(function* () {
        const { course, lectures } = yield* load(handle, viewer)
        const chosen = profile ?? defaultProfile(lectures)
        const allMedia = lectures.flatMap((lecture) => lecture.media)
        if (profile !== undefined && !allMedia.some((medium) => medium.profile === profile)) {
          return yield* new NotFound({
            code: "profile_not_found",
            message: `The course ${JSON.stringify(handle)} has no media of the profile ${JSON.stringify(profile)} that the caller may watch`
          })
        }
        const items = lectures
          .filter((lecture) => lecture.access.granted)
          .flatMap((lecture) => {
            const medium = lecture.media.find((candidate) => candidate.profile === chosen)
            return medium === undefined ? [] : [{ lecture, medium }]
          })
          .reverse()
        const author = course.organizer ?? "Video AG"
        const lines = [
          `<?xml version="1.0" encoding="UTF-8"?>`,
          `<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">`,
          `<channel>`,
          `<title>${xmlEscape(chosen === undefined ? course.title : `${course.title} (${chosen})`)}</title>`,
          `<link>${xmlEscape(courseUrl(course))}</link>`,
          `<description>${xmlEscape(course.description || course.title)}</description>`,
          `<language>${xmlEscape(course.language)}</language>`,
          `<generator>Video AG</generator>`,
          `<itunes:author>${xmlEscape(author)}</itunes:author>`,
          `<itunes:explicit>false</itunes:explicit>`,
          ...items.flatMap(({ lecture, medium }) => [
            `<item>`,
            `<title>${xmlEscape(lectureTitle(course, lecture))}</title>`,
            `<link>${xmlEscape(lectureUrl(course, lecture))}</link>`,
            `<guid isPermaLink="false">videoag-medium-${medium.id}</guid>`,
            `<pubDate>${rfc822(lecture.startTime)}</pubDate>`,
            `<description>${xmlEscape(lecture.publicComment)}</description>`,
            `<enclosure url="${xmlEscape(medium.url)}" length="${medium.sizeBytes}" type="${xmlEscape(medium.mimeType)}"/>`,
            `<itunes:duration>${Math.round(medium.durationSeconds)}</itunes:duration>`,
            `</item>`
          ]),
          `</channel>`,
          `</rss>`
        ]
        return lines.join("\n") + "\n"
      }).pipe(orDieOnSqlError, Effect.withSpan("Feeds.rss"))

    const atom = (handle: CourseHandle, viewer: ViewerInfo) =>
      Effect.gen(function* () {
        const { course, lectures } = yield* load(handle, viewer)
        const entries = lectures
          .filter((lecture) => lecture.access.granted && lecture.media.length > 0)
          .reverse()
        const updated = entries[0]?.startTime ?? course.updatedAt
        const enclosure = (medium: Medium) =>
          `<link rel="enclosure" href="${xmlEscape(medium.url)}" type="${xmlEscape(medium.mimeType)}" length="${medium.sizeBytes}" title="${xmlEscape(medium.profile)}"/>`
        const lines = [
          `<?xml version="1.0" encoding="UTF-8"?>`,
          `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${xmlEscape(course.language)}">`,
          `<id>${xmlEscape(courseUrl(course))}</id>`,
          `<title>${xmlEscape(course.title)}</title>`,
          `<updated>${updated.toISOString()}</updated>`,
          `<link rel="alternate" href="${xmlEscape(courseUrl(course))}"/>`,
          `<author><name>${xmlEscape(course.organizer ?? "Video AG")}</name></author>`,
          ...entries.flatMap((lecture) => [
            `<entry>`,
            `<id>${xmlEscape(lectureUrl(course, lecture))}</id>`,
            `<title>${xmlEscape(lectureTitle(course, lecture))}</title>`,
            `<updated>${lecture.startTime.toISOString()}</updated>`,
            `<link rel="alternate" href="${xmlEscape(lectureUrl(course, lecture))}"/>`,
            ...lecture.media.map(enclosure),
            `<summary>${xmlEscape(lecture.publicComment || lectureTitle(course, lecture))}</summary>`,
            `</entry>`
          ]),
          `</feed>`
        ]
        return lines.join("\n") + "\n"
      }).pipe(orDieOnSqlError, Effect.withSpan("Feeds.atom"))

    const calendar = (handle: CourseHandle, viewer: ViewerInfo) =>
      Effect.gen(function* () {
        const { course, lectures } = yield* load(handle, viewer)
        const stamp = icalDateTime(new Date())
        const lines = [
          "BEGIN:VCALENDAR",
          "VERSION:2.0",
          "PRODID:-//Video AG//Lecture calendar//DE",
          "CALSCALE:GREGORIAN",
          "METHOD:PUBLISH",
          `X-WR-CALNAME:${icalEscape(course.title)}`,
          ...lectures.flatMap((lecture) => {
            const end = new Date(
              lecture.startTime.getTime() +
                (lecture.durationMinutes ?? defaultDurationMinutes) * 60_000
            )
            return [
              "BEGIN:VEVENT",
              `UID:lecture-${lecture.id}@videoag`,
              `DTSTAMP:${stamp}`,
              `DTSTART:${icalDateTime(lecture.startTime)}`,
              `DTEND:${icalDateTime(end)}`,
              `SUMMARY:${icalEscape(`${course.title}: ${lectureTitle(course, lecture)}`)}`,
              ...(lecture.place === null ? [] : [`LOCATION:${icalEscape(lecture.place)}`]),
              ...(lecture.publicComment === ""
                ? []
                : [`DESCRIPTION:${icalEscape(lecture.publicComment)}`]),
              `URL:${lectureUrl(course, lecture)}`,
              "END:VEVENT"
            ]
          }),
          "END:VCALENDAR"
        ]
        return lines.map(icalFold).join("\r\n") + "\r\n"
      }).pipe(orDieOnSqlError, Effect.withSpan("Feeds.calendar"))

    return { rss, atom, calendar } as const
  }),
  dependencies: [Catalogue.Default]
}) {}
