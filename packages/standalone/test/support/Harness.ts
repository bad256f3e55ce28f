/**
 * Helpers for tests that run the whole stack: free loopback ports, the stack on a fresh test
 * database with a temporary media root, an API client that keeps cookies, and polling.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cookies from "@effect/platform/Cookies"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Ref from "effect/Ref"
import * as Fs from "node:fs/promises"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Schema from "effect/Schema"
import {
  CourseHandle,
  CreateCourse,
  CreateLecture,
  csrfHeaderName,
  VideoAgApi
} from "@videoag/domain"
import { TestDatabase, TestMedia } from "@videoag/domain/testing"
import * as Stack from "../../src/Stack.js"

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        resolve(typeof address === "object" && address !== null ? address.port : 0)
      )
    })
  })

export const temporaryFolder = (prefix: string) =>
  Effect.acquireRelease(
    Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), prefix))),
    (folder) => Effect.promise(() => Fs.rm(folder, { recursive: true, force: true }))
  )

export interface RunningStack {
  readonly apiUrl: string
  readonly fileProviderUrl: string
  readonly mediaRoot: string
  /** The stack's database, to provide to queries that check what the stack stored. */
  readonly database: Context.Context<Layer.Layer.Success<typeof TestDatabase.layer>>
}

/**
 * The stack on a fresh database, with workers encoding at the fastest preset. Returns where it
 * listens; everything stops when the scope closes.
 */
export const startStack = Effect.gen(function* () {
  const mediaRoot = yield* temporaryFolder("videoag-stack-")
  const [httpPort, fileProviderPort] = yield* Effect.promise(() =>
    Promise.all([freePort(), freePort()])
  )
  process.env["VIDEOAG_X264_PRESET"] = "ultrafast"
  const stack = Stack.layer({
    mediaRoot,
    httpHost: "127.0.0.1",
    httpPort,
    fileProviderHost: "127.0.0.1",
    fileProviderPort,
    sessionLifetime: Duration.hours(1),
    orchestrator: {
      concurrency: 2,
      pollInterval: Duration.seconds(1),
      retryBaseDelay: Duration.millis(200),
      retryMaxDelay: Duration.seconds(1),
      progressInterval: Duration.millis(200)
    }
  })
  const database = yield* Layer.build(TestDatabase.layer)
  yield* Layer.build(
    stack.pipe(
      Layer.provide(Layer.succeedContext(database)),
      Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
    )
  )
  const running: RunningStack = {
    apiUrl: `http://127.0.0.1:${httpPort}`,
    fileProviderUrl: `http://127.0.0.1:${fileProviderPort}`,
    mediaRoot,
    database
  }
  return running
})

/** An API client that stores the cookies the server sets, like a browser. */
export const apiClient = (baseUrl: string) =>
  Effect.gen(function* () {
    const cookies = yield* Ref.make(Cookies.empty)
    return yield* HttpApiClient.make(VideoAgApi, {
      baseUrl,
      // Writes with a session cookie need the CSRF header; reads ignore it.
      transformClient: (client) =>
        client.pipe(
          HttpClient.mapRequest(HttpClientRequest.setHeader(csrfHeaderName, "1")),
          HttpClient.withCookiesRef(cookies)
        )
    })
  }).pipe(Effect.provide(FetchHttpClient.layer))

/** Repeats `effect` until `done` holds for its result, or fails after `timeout`. */
export const pollUntil = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  done: (value: A) => boolean,
  timeout: Duration.DurationInput = Duration.minutes(2)
) =>
  Effect.gen(function* () {
    const deadline = Date.now() + Duration.toMillis(timeout)
    for (;;) {
      const value = yield* effect
      if (done(value)) return value
      if (Date.now() > deadline) {
        return yield* Effect.dieMessage(
          `Condition not reached within ${Duration.format(timeout)}; last value: ${JSON.stringify(value)}`
        )
      }
      yield* Effect.sleep(Duration.millis(250))
    }
  })

/**
 * Logs in as the debug moderator, creates a course with one lecture, writes a generated
 * recording into the media root and attaches it. Returns the client and what was created.
 */
export const attachGeneratedRecording = (
  stack: RunningStack,
  options: { readonly handle: string; readonly fileName: string } & TestMedia.RecordingOptions
) =>
  Effect.gen(function* () {
    const client = yield* apiClient(stack.apiUrl)
    yield* client.auth.login({ payload: { username: "videoag", password: "videoag" } })
    yield* client.courses.create({
      payload: Schema.decodeUnknownSync(CreateCourse)({
        handle: options.handle,
        title: options.handle
      })
    })
    const lecture = yield* client.courses.createLecture({
      path: { handle: Schema.decodeUnknownSync(CourseHandle)(options.handle) },
      payload: Schema.decodeUnknownSync(CreateLecture)({ startTime: "2026-11-02T14:00:00+01:00" })
    })
    yield* Effect.promise(() =>
      TestMedia.generateRecording(Path.join(stack.mediaRoot, options.fileName), options)
    )
    const attached = yield* client.lectures.attachSourceFile({
      path: { id: lecture.id },
      payload: { path: options.fileName }
    })
    return { client, lecture, attached }
  })
