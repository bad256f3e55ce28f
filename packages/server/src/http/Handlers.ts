/**
 * The handlers of every endpoint group of the HTTP contract. They read the caller from
 * `Viewer` or `CurrentUser` and delegate to the services.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import {
  atomContentType,
  calendarContentType,
  CurrentUser,
  PublishedFileProblem,
  rssContentType,
  sessionCookie,
  sessionCookieName,
  Viewer,
  VideoAgApi
} from "@videoag/domain"
import { MediaRepository, orDieOnSqlError } from "@videoag/domain/sql"
import { Accounts } from "../accounts/Accounts.js"
import { requireAdmin, Users } from "../accounts/Users.js"
import { addressRangesOf, clientAddressOf } from "../access/ClientAddress.js"
import { Catalogue } from "../catalogue/Catalogue.js"
import { CatalogueWrites } from "../catalogue/CatalogueWrites.js"
import { ChangeLog } from "../changelog/ChangeLog.js"
import { Announcements } from "../content/Announcements.js"
import { Chapters } from "../content/Chapters.js"
import { FeaturedEntries } from "../content/Featured.js"
import { Feeds } from "../feeds/Feeds.js"
import { Jobs } from "../jobs/Jobs.js"
import { Search } from "../search/Search.js"
import { ServerConfig } from "../ServerConfig.js"
import { SourceFiles } from "../sourcefiles/SourceFiles.js"
import { Statistics } from "../statistics/Statistics.js"
import { ViewerActions } from "../viewers/ViewerActions.js"

const withUser = <A, E, R>(use: (user: typeof CurrentUser.Service) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(CurrentUser, use)

const withViewer = <A, E, R>(use: (viewer: typeof Viewer.Service) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(Viewer, use)

const textResponse = (contentType: string) => (body: string) =>
  HttpServerResponse.text(body, {
    contentType,
    headers: { "cache-control": "private, max-age=300" }
  })

export const CoursesLive = HttpApiBuilder.group(VideoAgApi, "courses", (handlers) =>
  Effect.gen(function* () {
    const catalogue = yield* Catalogue
    const writes = yield* CatalogueWrites
    const actions = yield* ViewerActions
    return handlers
      .handle("list", ({ urlParams }) =>
        withViewer((viewer) => catalogue.listCourses(viewer, urlParams))
      )
      .handle("semesters", () => withViewer(catalogue.semesters))
      .handle("get", ({ path }) =>
        withViewer((viewer) => catalogue.courseDetail(path.handle, viewer))
      )
      .handle("enterPassword", ({ path, payload }) =>
        withViewer((viewer) => actions.enterCoursePassword(path.handle, payload.password, viewer))
      )
      .handle("create", ({ payload }) => withUser((user) => writes.createCourse(payload, user)))
      .handle("update", ({ path, payload }) =>
        withUser((user) => writes.updateCourse(path.handle, payload, user))
      )
      .handle("delete", ({ path }) => withUser((user) => writes.deleteCourse(path.handle, user)))
      .handle("createLecture", ({ path, payload }) =>
        withUser((user) => writes.createLecture(path.handle, payload, user))
      )
      .handle("getAccessRules", ({ path }) => writes.getAccessRules("course", path.handle))
      .handle("setAccessRules", ({ path, payload }) =>
        withUser((user) => writes.setAccessRules("course", path.handle, payload, user))
      )
  })
)

export const LecturesLive = HttpApiBuilder.group(VideoAgApi, "lectures", (handlers) =>
  Effect.gen(function* () {
    const catalogue = yield* Catalogue
    const writes = yield* CatalogueWrites
    const actions = yield* ViewerActions
    const chapters = yield* Chapters
    const sourceFiles = yield* SourceFiles
    return handlers
      .handle("get", ({ path }) => withViewer((viewer) => catalogue.lectureDetail(path.id, viewer)))
      .handle("enterPassword", ({ path, payload }) =>
        withViewer((viewer) => actions.enterLecturePassword(path.id, payload.password, viewer))
      )
      .handle("suggestChapter", ({ path, payload }) =>
        withViewer((viewer) => actions.suggestChapter(path.id, payload, viewer))
      )
      .handle("update", ({ path, payload }) =>
        withUser((user) => writes.updateLecture(path.id, payload, user))
      )
      .handle("delete", ({ path }) => withUser((user) => writes.deleteLecture(path.id, user)))
      .handle("listChapters", ({ path }) => chapters.listForLecture(path.id))
      .handle("createChapter", ({ path, payload }) =>
        withUser((user) => chapters.create(path.id, payload, user))
      )
      .handle("getAccessRules", ({ path }) => writes.getAccessRules("lecture", path.id))
      .handle("setAccessRules", ({ path, payload }) =>
        withUser((user) => writes.setAccessRules("lecture", path.id, payload, user))
      )
      .handle("attachSourceFile", ({ path, payload }) =>
        withUser((user) => sourceFiles.attach(path.id, payload.path, user))
      )
  })
)

export const ChaptersLive = HttpApiBuilder.group(VideoAgApi, "chapters", (handlers) =>
  Effect.map(Chapters, (chapters) =>
    handlers
      .handle("update", ({ path, payload }) =>
        withUser((user) => chapters.update(path.id, payload, user))
      )
      .handle("approve", ({ path }) => withUser((user) => chapters.approve(path.id, user)))
      .handle("reject", ({ path }) => withUser((user) => chapters.remove(path.id, user)))
      .handle("delete", ({ path }) => withUser((user) => chapters.remove(path.id, user)))
  )
)

export const MediaLive = HttpApiBuilder.group(VideoAgApi, "media", (handlers) =>
  Effect.gen(function* () {
    const actions = yield* ViewerActions
    const writes = yield* CatalogueWrites
    return handlers
      .handle("countView", ({ path }) => withViewer((viewer) => actions.countView(path.id, viewer)))
      .handle("update", ({ path, payload }) =>
        withUser((user) => writes.updateMedium(path.id, payload, user))
      )
  })
)

export const SearchLive = HttpApiBuilder.group(VideoAgApi, "search", (handlers) =>
  Effect.map(Search, (search) =>
    handlers.handle("search", ({ urlParams }) =>
      withViewer((viewer) => search.search(urlParams, viewer))
    )
  )
)

export const FeedsLive = HttpApiBuilder.group(VideoAgApi, "feeds", (handlers) =>
  Effect.map(Feeds, (feeds) =>
    handlers
      .handle("rss", ({ path, urlParams }) =>
        withViewer((viewer) =>
          Effect.map(
            feeds.rss(path.handle, urlParams.profile, viewer),
            textResponse(rssContentType)
          )
        )
      )
      .handle("atom", ({ path }) =>
        withViewer((viewer) =>
          Effect.map(feeds.atom(path.handle, viewer), textResponse(atomContentType))
        )
      )
      .handle("calendar", ({ path }) =>
        withViewer((viewer) =>
          Effect.map(feeds.calendar(path.handle, viewer), textResponse(calendarContentType))
        )
      )
  )
)

export const AnnouncementsLive = HttpApiBuilder.group(VideoAgApi, "announcements", (handlers) =>
  Effect.map(Announcements, (announcements) =>
    handlers
      .handle("list", ({ urlParams }) =>
        withViewer((viewer) =>
          announcements.list(urlParams.all === true && Option.isSome(viewer.user))
        )
      )
      .handle("create", ({ payload }) => withUser((user) => announcements.create(payload, user)))
      .handle("update", ({ path, payload }) =>
        withUser((user) => announcements.update(path.id, payload, user))
      )
      .handle("delete", ({ path }) => withUser((user) => announcements.remove(path.id, user)))
  )
)

export const FeaturedLive = HttpApiBuilder.group(VideoAgApi, "featured", (handlers) =>
  Effect.map(FeaturedEntries, (featured) =>
    handlers
      .handle("list", ({ urlParams }) =>
        withViewer((viewer) =>
          Effect.map(featured.list(viewer), (entries) =>
            urlParams.all === true ? entries : entries.filter((entry) => entry.visible)
          )
        )
      )
      .handle("create", ({ payload }) => withUser((user) => featured.create(payload, user)))
      .handle("reorder", ({ payload }) => withUser((user) => featured.reorder(payload, user)))
      .handle("update", ({ path, payload }) =>
        withUser((user) => featured.update(path.id, payload, user))
      )
      .handle("delete", ({ path }) => withUser((user) => featured.remove(path.id, user)))
  )
)

export const AuthLive = HttpApiBuilder.group(VideoAgApi, "auth", (handlers) =>
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const settings = yield* ServerConfig
    const trustedProxies = addressRangesOf(settings.trustedProxies)
    const clientAddress = Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
      clientAddressOf(
        Option.getOrUndefined(request.remoteAddress),
        request.headers["x-forwarded-for"],
        trustedProxies
      )
    )
    const cookieOptions = {
      httpOnly: true,
      secure: settings.secureCookies,
      sameSite: "lax" as const,
      path: "/"
    }
    const currentToken = Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
      Option.fromNullable(request.cookies[sessionCookieName])
    )
    return handlers
      .handle("login", ({ payload }) =>
        Effect.gen(function* () {
          const session = yield* accounts.login(
            payload.username,
            Redacted.make(payload.password),
            yield* clientAddress
          )
          yield* HttpApiBuilder.securitySetCookie(sessionCookie, session.token, {
            ...cookieOptions,
            maxAge: settings.sessionLifetime
          })
          return session.user
        })
      )
      .handle("logout", () =>
        Effect.gen(function* () {
          const token = yield* currentToken
          if (Option.isSome(token)) {
            yield* accounts.logout(Redacted.make(token.value))
          }
          yield* HttpApiBuilder.securitySetCookie(sessionCookie, "", {
            ...cookieOptions,
            maxAge: 0
          })
        })
      )
      .handle("me", () => CurrentUser)
      .handle("changePassword", ({ payload }) =>
        withUser((user) =>
          Effect.flatMap(currentToken, (token) =>
            accounts.changePassword(
              user,
              Redacted.make(payload.currentPassword),
              Redacted.make(payload.newPassword),
              Redacted.make(Option.getOrElse(token, () => ""))
            )
          )
        )
      )
  })
)

export const UsersLive = HttpApiBuilder.group(VideoAgApi, "users", (handlers) =>
  Effect.map(Users, (users) =>
    handlers
      .handle("list", () => withUser((user) => Effect.zipRight(requireAdmin(user), users.list)))
      .handle("create", ({ payload }) =>
        withUser((user) => Effect.zipRight(requireAdmin(user), users.create(payload, user)))
      )
      .handle("update", ({ path, payload }) =>
        withUser((user) =>
          Effect.zipRight(requireAdmin(user), users.update(path.id, payload, user))
        )
      )
      .handle("delete", ({ path }) =>
        withUser((user) => Effect.zipRight(requireAdmin(user), users.remove(path.id, user)))
      )
  )
)

export const JobsLive = HttpApiBuilder.group(VideoAgApi, "jobs", (handlers) =>
  Effect.map(Jobs, (jobs) =>
    handlers
      .handle("get", ({ path }) => jobs.get(path.id))
      .handle("list", ({ urlParams }) => jobs.list(urlParams))
      .handle("enqueue", ({ payload }) =>
        withUser((user) => jobs.enqueue(payload.type, payload.input, payload.priority, user))
      )
      .handle("retry", ({ path }) => withUser((user) => jobs.retry(path.id, user)))
      .handle("cancel", ({ path }) => withUser((user) => jobs.cancel(path.id, user)))
      .handle("update", ({ path, payload }) =>
        withUser((user) => jobs.setPriority(path.id, payload.priority, user))
      )
  )
)

export const SourceFilesLive = HttpApiBuilder.group(VideoAgApi, "sourceFiles", (handlers) =>
  Effect.gen(function* () {
    const sourceFiles = yield* SourceFiles
    const media = yield* MediaRepository
    return handlers
      .handle("list", ({ urlParams }) => sourceFiles.list(urlParams))
      .handle("get", ({ path }) => sourceFiles.get(path.id))
      .handle("unassigned", () => sourceFiles.listUnassigned)
      .handle("waiting", () => sourceFiles.listWaiting)
      .handle("assign", ({ path, payload }) =>
        withUser((user) => sourceFiles.assign(path.id, payload.lectureId, user))
      )
      .handle("fileProblems", () =>
        Effect.map(media.listFileProblems.pipe(orDieOnSqlError), (problems) =>
          problems.map((problem) => new PublishedFileProblem(problem))
        )
      )
  })
)

export const StatisticsLive = HttpApiBuilder.group(VideoAgApi, "statistics", (handlers) =>
  Effect.map(Statistics, (statistics) =>
    handlers
      .handle("medium", ({ path, urlParams }) => statistics.medium(path.id, urlParams))
      .handle("lecture", ({ path, urlParams }) => statistics.lecture(path.id, urlParams))
      .handle("course", ({ path, urlParams }) => statistics.course(path.handle, urlParams))
  )
)

export const ChangeLogLive = HttpApiBuilder.group(VideoAgApi, "changeLog", (handlers) =>
  Effect.map(ChangeLog, (changeLog) =>
    handlers.handle("list", ({ urlParams }) => changeLog.list(urlParams))
  )
)
