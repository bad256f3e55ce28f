/**
 * The handlers of every endpoint group of the HTTP contract.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import {
  CurrentUser,
  NotFound,
  sessionCookie,
  sessionCookieName,
  VideoAgApi
} from "@videoag/domain"
import { JobRepository, orDieOnSqlError, toJob } from "@videoag/domain/sql"
import { Accounts } from "../accounts/Accounts.js"
import { Catalogue } from "../catalogue/Catalogue.js"
import { ServerConfig } from "../ServerConfig.js"
import { SourceFiles } from "../sourcefiles/SourceFiles.js"

export const CoursesLive = HttpApiBuilder.group(VideoAgApi, "courses", (handlers) =>
  Effect.map(Catalogue, (catalogue) =>
    handlers
      .handle("list", () => catalogue.listCourses)
      .handle("get", ({ path }) => catalogue.courseDetail(path.handle))
      .handle("create", ({ payload }) => catalogue.createCourse(payload))
      .handle("createLecture", ({ path, payload }) => catalogue.createLecture(path.handle, payload))
  )
)

export const LecturesLive = HttpApiBuilder.group(VideoAgApi, "lectures", (handlers) =>
  Effect.gen(function* () {
    const catalogue = yield* Catalogue
    const sourceFiles = yield* SourceFiles
    return handlers
      .handle("get", ({ path }) => catalogue.lectureDetail(path.id))
      .handle("attachSourceFile", ({ path, payload }) =>
        Effect.flatMap(CurrentUser, (user) => sourceFiles.attach(path.id, payload.path, user))
      )
  })
)

export const AuthLive = HttpApiBuilder.group(VideoAgApi, "auth", (handlers) =>
  Effect.gen(function* () {
    const accounts = yield* Accounts
    const settings = yield* ServerConfig
    const cookieOptions = {
      httpOnly: true,
      secure: settings.secureCookies,
      sameSite: "lax" as const,
      path: "/"
    }
    return handlers
      .handle("login", ({ payload }) =>
        Effect.gen(function* () {
          const session = yield* accounts.login(payload.username, Redacted.make(payload.password))
          yield* HttpApiBuilder.securitySetCookie(sessionCookie, session.token, {
            ...cookieOptions,
            maxAge: Duration.toSeconds(settings.sessionLifetime)
          })
          return session.user
        })
      )
      .handle("logout", () =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const token = Option.fromNullable(request.cookies[sessionCookieName])
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
  })
)

export const JobsLive = HttpApiBuilder.group(VideoAgApi, "jobs", (handlers) =>
  Effect.map(JobRepository, (jobs) =>
    handlers.handle("get", ({ path }) =>
      jobs.findById(path.id).pipe(
        orDieOnSqlError,
        Effect.flatMap(
          Option.match({
            onNone: () =>
              new NotFound({ code: "job_not_found", message: `No job with the id ${path.id}` }),
            onSome: (record) => Effect.succeed(toJob(record))
          })
        )
      )
    )
  )
)
