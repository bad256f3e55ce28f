/**
 * Every kind of caller against every kind of object, on every endpoint that returns course,
 * lecture or media data: hidden objects answer 404 to all but moderators, unlisted courses are
 * absent from lists and search, protected lectures show metadata without media until access
 * is granted, and no response ever contains the address of a file the caller may not watch.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { AccessRuleKind } from "@videoag/domain"
import * as Fixtures from "./Fixtures.js"
import * as TestServer from "./TestServer.js"

interface LectureCase {
  readonly key: string
  readonly handle: string
  readonly courseVisible: boolean
  readonly courseListed: boolean
  readonly lectureVisible: boolean
  /** The effective rules: the lecture's own, else its course's. */
  readonly rules: ReadonlyArray<AccessRuleKind>
  readonly passwordScope: "course" | "lecture" | null
  readonly id: number
  readonly medium: { readonly id: number; readonly path: string }
  readonly posterPath: string
  readonly hiddenMedium?: { readonly id: number; readonly path: string }
}

/** Whose password opens a lecture with a password rule: its own rules' or its course's. */
const passwordScopeOf = (own: ReadonlyArray<AccessRuleKind>) =>
  own.length > 0 ? ("lecture" as const) : ("course" as const)

interface CourseCase {
  readonly handle: string
  readonly visible: boolean
  readonly listed: boolean
}

interface CallerCase {
  readonly name: string
  readonly caller: TestServer.Caller
  readonly moderator: boolean
  readonly inside: boolean
  readonly grants: ReadonlyArray<string>
}

interface World {
  readonly courses: ReadonlyArray<CourseCase>
  readonly lectures: ReadonlyArray<LectureCase>
  readonly callers: ReadonlyArray<CallerCase>
}

const outside = "198.51.100.7"

const buildWorld = Effect.gen(function* () {
  const lectures: Array<LectureCase> = []
  const courses: Array<CourseCase> = []

  const addCourse = (
    handle: string,
    options: { visible?: boolean; listed?: boolean; rules?: ReadonlyArray<AccessRuleKind> } = {}
  ) =>
    Effect.gen(function* () {
      const id = yield* Fixtures.course({
        handle,
        title: `Matrix course ${handle}`,
        semester: "2026ws",
        ...options,
        ...(options.rules?.includes("password") ? { password: "course-secret" } : {})
      })
      courses.push({ handle, visible: options.visible ?? true, listed: options.listed ?? true })
      return { id, rules: options.rules ?? [] }
    })

  const addLecture = (
    course: { id: number; rules: ReadonlyArray<AccessRuleKind> },
    key: string,
    handle: string,
    courseOptions: { visible: boolean; listed: boolean },
    options: {
      visible?: boolean
      rules?: ReadonlyArray<AccessRuleKind>
      hiddenMedium?: boolean
    } = {}
  ) =>
    Effect.gen(function* () {
      const own = options.rules ?? []
      const id = yield* Fixtures.lecture({
        courseId: course.id,
        title: `Matrix lecture ${key}`,
        visible: options.visible ?? true,
        rules: own,
        ...(own.includes("password") ? { password: "lecture-secret" } : {})
      })
      // A lecture's own rules replace its course's; without any, the lecture is public.
      const inherited = course.rules.length > 0 ? course.rules : ["public" as const]
      const rules = own.length > 0 ? own : inherited
      const exposesPublicly =
        rules.includes("public") && courseOptions.visible && (options.visible ?? true)
      const medium = yield* Fixtures.medium(id, exposesPublicly ? "public" : "protected", {
        name: `${key}-720p.mp4`
      })
      const posterPath = yield* Fixtures.poster(
        id,
        exposesPublicly ? "public" : "protected",
        `${key}-poster.jpg`
      )
      const hiddenMedium = options.hiddenMedium
        ? yield* Fixtures.medium(id, "protected", {
            profile: "360p",
            visible: false,
            name: `${key}-hidden-360p.mp4`
          })
        : undefined
      lectures.push({
        key,
        handle,
        courseVisible: courseOptions.visible,
        courseListed: courseOptions.listed,
        lectureVisible: options.visible ?? true,
        rules,
        passwordScope: rules.includes("password") ? passwordScopeOf(own) : null,
        id,
        medium,
        posterPath,
        ...(hiddenMedium ? { hiddenMedium } : {})
      })
      return id
    })

  const shown = { visible: true, listed: true }
  const open = yield* addCourse("open")
  yield* addLecture(open, "open-public", "open", shown, { hiddenMedium: true })
  yield* addLecture(open, "open-hidden", "open", shown, { visible: false })
  yield* addLecture(open, "open-network", "open", shown, { rules: ["university_network"] })
  const lecturePassword = yield* addLecture(open, "open-password", "open", shown, {
    rules: ["password"]
  })
  yield* addLecture(open, "open-moderators", "open", shown, { rules: ["moderators"] })
  yield* addLecture(open, "open-either", "open", shown, {
    rules: ["university_network", "password"]
  })
  const hidden = yield* addCourse("hidden", { visible: false })
  yield* addLecture(hidden, "hidden-public", "hidden", { visible: false, listed: true })
  const unlisted = yield* addCourse("unlisted", { listed: false })
  yield* addLecture(unlisted, "unlisted-public", "unlisted", { visible: true, listed: false })
  const network = yield* addCourse("network", { rules: ["university_network"] })
  yield* addLecture(network, "network-inherits", "network", shown)
  yield* addLecture(network, "network-override-public", "network", shown, { rules: ["public"] })
  const password = yield* addCourse("password", { rules: ["password"] })
  yield* addLecture(password, "password-inherits", "password", shown)
  const moderators = yield* addCourse("moderators", { rules: ["moderators"] })
  yield* addLecture(moderators, "moderators-inherits", "moderators", shown)

  const grantCookie = (path: string, secret: string) =>
    Effect.gen(function* () {
      const response = yield* TestServer.request("POST", path, {
        body: JSON.stringify({ password: secret }),
        headers: { "content-type": "application/json" },
        caller: { forwardedFor: outside }
      })
      expect(response.status).toBe(200)
      const cookie = TestServer.cookieFrom(response, "videoag_grants")
      expect(cookie).toBeDefined()
      return cookie ?? ""
    })
  const courseGrant = yield* grantCookie("/courses/password/password", "course-secret")
  const lectureGrant = yield* grantCookie(`/lectures/${lecturePassword}/password`, "lecture-secret")
  const [payload = "", signature = ""] = courseGrant.split(".")
  const forgedPayload = Buffer.from(
    JSON.stringify([["c", password.id, "forged", 4_000_000_000]])
  ).toString("base64url")

  const callers: ReadonlyArray<CallerCase> = [
    {
      name: "anonymous outside",
      caller: { forwardedFor: outside },
      moderator: false,
      inside: false,
      grants: []
    },
    {
      name: "anonymous inside",
      caller: { forwardedFor: "10.20.3.4" },
      moderator: false,
      inside: true,
      grants: []
    },
    {
      name: "anonymous inside over IPv6",
      caller: { forwardedFor: "2001:db8:20::5" },
      moderator: false,
      inside: true,
      grants: []
    },
    {
      name: "outside with course password grant",
      caller: { forwardedFor: outside, cookies: { videoag_grants: courseGrant } },
      moderator: false,
      inside: false,
      grants: ["course"]
    },
    {
      name: "outside with lecture password grant",
      caller: { forwardedFor: outside, cookies: { videoag_grants: lectureGrant } },
      moderator: false,
      inside: false,
      grants: ["lecture"]
    },
    {
      name: "outside with a forged grant",
      caller: {
        forwardedFor: outside,
        cookies: { videoag_grants: `${forgedPayload}.${signature}` }
      },
      moderator: false,
      inside: false,
      grants: []
    },
    {
      name: "outside with an altered grant",
      caller: {
        forwardedFor: outside,
        cookies: { videoag_grants: `${payload}x.${signature}` }
      },
      moderator: false,
      inside: false,
      grants: []
    },
    {
      name: "moderator",
      caller: { forwardedFor: outside, cookies: yield* TestServer.login() },
      moderator: true,
      inside: false,
      grants: []
    }
  ]
  const world: World = { courses, lectures, callers }
  return world
})

const seesLecture = (caller: CallerCase, lecture: LectureCase) =>
  caller.moderator || (lecture.courseVisible && lecture.lectureVisible)

const mayWatch = (caller: CallerCase, lecture: LectureCase) =>
  caller.moderator ||
  lecture.rules.some(
    (kind) =>
      kind === "public" ||
      (kind === "university_network" && caller.inside) ||
      (kind === "password" &&
        lecture.passwordScope !== null &&
        caller.grants.includes(lecture.passwordScope) &&
        (lecture.passwordScope === "course"
          ? lecture.handle === "password"
          : lecture.key === "open-password"))
  )

/** File names of media and posters the caller must never receive a URL for. */
const forbiddenFiles = (world: World, caller: CallerCase) =>
  world.lectures.flatMap((lecture) => {
    const files = [
      ...(seesLecture(caller, lecture) && mayWatch(caller, lecture)
        ? []
        : [lecture.medium.path, lecture.posterPath]),
      ...(lecture.hiddenMedium && !caller.moderator ? [lecture.hiddenMedium.path] : [])
    ]
    return files.map((path) => path.split("/").at(-1) ?? path)
  })

interface MediumJson {
  readonly id: number
  readonly url: string
}
interface LectureJson {
  readonly id: number
  readonly media: ReadonlyArray<MediumJson>
  readonly access: { readonly granted: boolean; readonly rules: ReadonlyArray<string> }
}

let cached: World | undefined
const world = Effect.suspend(() =>
  cached
    ? Effect.succeed(cached)
    : Effect.tap(buildWorld, (built) => Effect.sync(() => (cached = built)))
)

const checkLecture = (caller: CallerCase, lecture: LectureCase, json: LectureJson) => {
  const label = `${caller.name} / ${lecture.key}`
  const granted = mayWatch(caller, lecture)
  expect(json.access.granted, label).toBe(granted)
  expect([...json.access.rules].sort(), label).toEqual([...lecture.rules].sort())
  const ids = json.media.map((medium) => medium.id).sort()
  const expected = granted
    ? [
        lecture.medium.id,
        ...(lecture.hiddenMedium && caller.moderator ? [lecture.hiddenMedium.id] : [])
      ]
    : []
  expect(ids, label).toEqual(expected.sort())
  for (const medium of json.media) {
    const protectedFile = medium.url.includes("/published/protected/")
    const signed =
      (medium.url.includes("md5=") && medium.url.includes("expires=")) ||
      medium.url.includes("/signed/")
    expect(signed, label).toBe(protectedFile)
    expect(medium.url.startsWith(TestServer.fileProviderUrl), label).toBe(true)
  }
}

describe("authorization matrix", () => {
  it.layer(TestServer.layer())((it) => {
    it.effect("course detail by caller and course", () =>
      Effect.gen(function* () {
        const { callers, courses, lectures } = yield* world
        for (const caller of callers) {
          for (const course of courses) {
            const response = yield* TestServer.request("GET", `/courses/${course.handle}`, {
              caller: caller.caller
            })
            const label = `${caller.name} / ${course.handle}`
            if (!course.visible && !caller.moderator) {
              expect(response.status, label).toBe(404)
              expect((response.json as { code: string }).code, label).toBe("course_not_found")
              continue
            }
            expect(response.status, label).toBe(200)
            const detail = response.json as { lectures: ReadonlyArray<LectureJson> }
            const expectedIds = lectures
              .filter((lecture) => lecture.handle === course.handle && seesLecture(caller, lecture))
              .map((lecture) => lecture.id)
              .sort()
            expect(detail.lectures.map((lecture) => lecture.id).sort(), label).toEqual(expectedIds)
            for (const json of detail.lectures) {
              checkLecture(
                caller,
                lectures.find((lecture) => lecture.id === json.id)!,
                json
              )
            }
          }
        }
      })
    )

    it.effect("lecture detail by caller and lecture", () =>
      Effect.gen(function* () {
        const { callers, lectures } = yield* world
        for (const caller of callers) {
          for (const lecture of lectures) {
            const response = yield* TestServer.request("GET", `/lectures/${lecture.id}`, {
              caller: caller.caller
            })
            const label = `${caller.name} / ${lecture.key}`
            if (!seesLecture(caller, lecture)) {
              expect(response.status, label).toBe(404)
              expect((response.json as { code: string }).code, label).toBe("lecture_not_found")
              continue
            }
            expect(response.status, label).toBe(200)
            checkLecture(caller, lecture, response.json as LectureJson)
          }
        }
      })
    )

    it.effect("course lists, semesters and search leave out hidden and unlisted", () =>
      Effect.gen(function* () {
        const { callers, courses, lectures } = yield* world
        for (const caller of callers) {
          const listedHandles = courses
            .filter((course) => course.listed && (course.visible || caller.moderator))
            .map((course) => course.handle)
            .sort()
          const list = yield* TestServer.request("GET", "/courses", { caller: caller.caller })
          expect(
            (list.json as ReadonlyArray<{ handle: string }>).map((course) => course.handle).sort(),
            caller.name
          ).toEqual(listedHandles)

          const semesters = yield* TestServer.request("GET", "/semesters", {
            caller: caller.caller
          })
          const grouped = semesters.json as ReadonlyArray<{
            courses: ReadonlyArray<{ handle: string }>
          }>
          expect(
            grouped.flatMap((group) => group.courses.map((course) => course.handle)).sort(),
            caller.name
          ).toEqual(listedHandles)

          const search = yield* TestServer.request("GET", "/search?q=matrix&limit=100", {
            caller: caller.caller
          })
          expect(search.status, caller.name).toBe(200)
          const hits = (
            search.json as {
              items: ReadonlyArray<{
                _tag: string
                course?: { handle: string }
                lecture?: { id: number }
              }>
            }
          ).items
          const searchableCourses = caller.moderator
            ? courses.map((course) => course.handle).sort()
            : listedHandles
          expect(
            hits
              .filter((hit) => hit._tag === "course")
              .map((hit) => hit.course?.handle)
              .sort(),
            caller.name
          ).toEqual(searchableCourses)
          const searchableLectures = lectures
            .filter(
              (lecture) =>
                caller.moderator ||
                (lecture.courseVisible && lecture.courseListed && lecture.lectureVisible)
            )
            .map((lecture) => lecture.id)
            .sort()
          expect(
            hits
              .filter((hit) => hit._tag === "lecture")
              .map((hit) => hit.lecture?.id)
              .sort(),
            caller.name
          ).toEqual(searchableLectures)
        }
      })
    )

    it.effect("feeds list only media the caller may watch", () =>
      Effect.gen(function* () {
        const { callers, courses, lectures } = yield* world
        for (const caller of callers) {
          for (const course of courses) {
            for (const feed of ["feed.rss", "feed.atom", "calendar.ics"]) {
              const response = yield* TestServer.request(
                "GET",
                `/courses/${course.handle}/${feed}`,
                {
                  caller: caller.caller
                }
              )
              const label = `${caller.name} / ${course.handle} / ${feed}`
              if (!course.visible && !caller.moderator) {
                expect(response.status, label).toBe(404)
                continue
              }
              expect(response.status, label).toBe(200)
              if (feed === "calendar.ics") continue
              const expected = lectures
                .filter(
                  (lecture) =>
                    lecture.handle === course.handle &&
                    seesLecture(caller, lecture) &&
                    mayWatch(caller, lecture)
                )
                .map((lecture) => lecture.medium.path.split("/").at(-1))
                .sort()
              const enclosed = [...response.text.matchAll(/(?:url|href)="[^"]*\/([^/"?]+\.mp4)/g)]
                .map((match) => decodeURIComponent(match[1] ?? ""))
                .filter((name) => !name.endsWith("-hidden-360p.mp4"))
                .sort()
              expect([...new Set(enclosed)], label).toEqual(expected)
            }
          }
        }
      })
    )

    it.effect("view counting needs access to the medium", () =>
      Effect.gen(function* () {
        const { callers, lectures } = yield* world
        for (const caller of callers) {
          for (const lecture of lectures) {
            const response = yield* TestServer.request(
              "POST",
              `/media/${lecture.medium.id}/views`,
              {
                caller: caller.caller
              }
            )
            const label = `${caller.name} / ${lecture.key}`
            const expected = !seesLecture(caller, lecture)
              ? 404
              : mayWatch(caller, lecture)
                ? 204
                : 403
            expect(response.status, label).toBe(expected)
            if (lecture.hiddenMedium) {
              const hidden = yield* TestServer.request(
                "POST",
                `/media/${lecture.hiddenMedium.id}/views`,
                { caller: caller.caller }
              )
              expect(hidden.status, `${label} hidden medium`).toBe(caller.moderator ? 204 : 404)
            }
          }
        }
      })
    )

    it.effect("featured entries skip hidden and unlisted targets", () =>
      Effect.gen(function* () {
        const { callers } = yield* world
        const moderator = callers.find((caller) => caller.moderator)!
        for (const handle of ["open", "hidden", "unlisted"]) {
          const created = yield* TestServer.request("POST", "/featured", {
            body: JSON.stringify({ courseHandle: handle, title: `Featured ${handle}` }),
            headers: { "content-type": "application/json", "x-videoag-csrf": "1" },
            caller: moderator.caller
          })
          expect(created.status).toBe(201)
        }
        for (const caller of callers) {
          const response = yield* TestServer.request("GET", "/featured", { caller: caller.caller })
          const handles = (response.json as ReadonlyArray<{ course: { handle: string } | null }>)
            .map((entry) => entry.course?.handle)
            .sort()
          expect(handles, caller.name).toEqual(
            caller.moderator ? ["hidden", "open", "unlisted"] : ["open"]
          )
        }
      })
    )

    it.effect("no response carries a forbidden media URL", () =>
      Effect.gen(function* () {
        const world_ = yield* world
        for (const caller of world_.callers) {
          const forbidden = forbiddenFiles(world_, caller)
          const paths = [
            "/courses",
            "/semesters",
            "/featured",
            "/search?q=matrix&limit=100",
            ...world_.courses.flatMap((course) => [
              `/courses/${course.handle}`,
              `/courses/${course.handle}/feed.rss`,
              `/courses/${course.handle}/feed.rss?profile=360p`,
              `/courses/${course.handle}/feed.atom`,
              `/courses/${course.handle}/calendar.ics`
            ]),
            ...world_.lectures.map((lecture) => `/lectures/${lecture.id}`)
          ]
          for (const path of paths) {
            const response = yield* TestServer.request("GET", path, { caller: caller.caller })
            for (const file of forbidden) {
              expect(response.text.includes(file), `${caller.name} ${path} leaks ${file}`).toBe(
                false
              )
            }
          }
        }
      })
    )

    it.effect("moderator endpoints reject everyone else", () =>
      Effect.gen(function* () {
        const { callers, lectures } = yield* world
        const medium = lectures[0]!.medium
        for (const caller of callers.filter((candidate) => !candidate.moderator)) {
          for (const path of [
            `/statistics/media/${medium.id}`,
            `/statistics/courses/open`,
            `/change-log`,
            `/lectures/${lectures[0]!.id}/chapters`,
            `/jobs`,
            `/source-files`
          ]) {
            const response = yield* TestServer.request("GET", path, { caller: caller.caller })
            expect(response.status, `${caller.name} ${path}`).toBe(401)
          }
        }
      })
    )
  })
})
