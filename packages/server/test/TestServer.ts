/**
 * The API server on a free loopback port over a fresh test database, and small helpers to call
 * it as different kinds of callers. The file provider's source checks point to a closed port:
 * these tests never attach source files.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { createServer } from "node:http"
import { apiPrefix, csrfHeaderName, VideoAgApi } from "@videoag/domain"
import { TestDatabase } from "@videoag/domain/testing"
import * as ApiServer from "../src/http/HttpServer.js"
import * as ServerConfig from "../src/ServerConfig.js"

export const secureLinkSecret = "test-secure-link-secret-0123456789"
export const fileProviderUrl = "http://127.0.0.1:5999"

export const testSettings: ServerConfig.ServerSettings = {
  debug: true,
  host: "127.0.0.1",
  port: 0,
  fileProviderUrl,
  sourceFileCheckUrl: "http://127.0.0.1:9/internal/source-files",
  sessionLifetime: Duration.hours(1),
  secureCookies: false,
  universityNetworks: ["10.20.0.0/16", "2001:db8:20::/48"],
  trustedProxies: ["127.0.0.1/32", "::1/128"],
  secureLinkSecret: Redacted.make(secureLinkSecret),
  serverSecret: Redacted.make("test-server-secret-0123456789abcdef"),
  mediaUrlLifetime: Duration.hours(6),
  passwordGrantLifetime: Duration.days(7),
  siteUrl: "https://video.example.org",
  corsOrigins: ["https://video.example.org"]
}

/** Base URL of the running test server, e.g. `http://127.0.0.1:41234`. */
export class ServerUrl extends Context.Tag("test/ServerUrl")<ServerUrl, string>() {}

const ServerUrlLive = Layer.effect(
  ServerUrl,
  Effect.map(HttpServer.HttpServer, (server) => {
    const address = server.address
    return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
  })
)

/** Server, database and `ServerUrl`; the database is dropped when the layer's scope closes. */
export const layer = (settings: Partial<ServerConfig.ServerSettings> = {}) =>
  Layer.mergeAll(ApiServer.serve(ApiServer.ApiLive), ServerUrlLive).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
    Layer.provide(ServerConfig.layerWith({ ...testSettings, ...settings })),
    Layer.provideMerge(TestDatabase.layer)
  )

/** How a test caller presents itself: cookies, a forwarded client address, extra headers. */
export interface Caller {
  readonly cookies?: Record<string, string>
  readonly forwardedFor?: string
  readonly headers?: Record<string, string>
}

const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join("; ")

/** A typed client of the API acting as `caller`; writes carry the CSRF header. */
export const client = (caller: Caller = {}) =>
  Effect.gen(function* () {
    const baseUrl = yield* ServerUrl
    return yield* HttpApiClient.make(VideoAgApi, {
      baseUrl,
      transformClient: HttpClient.mapRequest((request) =>
        HttpClientRequest.setHeaders(request, {
          [csrfHeaderName]: "1",
          ...(caller.cookies ? { cookie: cookieHeader(caller.cookies) } : {}),
          ...(caller.forwardedFor ? { "x-forwarded-for": caller.forwardedFor } : {}),
          ...caller.headers
        })
      )
    })
  }).pipe(Effect.provide(FetchHttpClient.layer))

export interface RawResponse {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

/** A plain HTTP request to the server, for what the typed client cannot send. */
export const request = (
  method: string,
  path: string,
  options: {
    readonly body?: string
    readonly headers?: Record<string, string>
    readonly caller?: Caller
  } = {}
) =>
  Effect.gen(function* () {
    const baseUrl = yield* ServerUrl
    const caller = options.caller ?? {}
    const url =
      path.startsWith("/api") || path.startsWith("/health") || path.startsWith("/metrics")
        ? `${baseUrl}${path}`
        : `${baseUrl}${apiPrefix}${path}`
    const response = yield* Effect.promise(() =>
      fetch(url, {
        method,
        headers: {
          ...(caller.cookies ? { cookie: cookieHeader(caller.cookies) } : {}),
          ...(caller.forwardedFor ? { "x-forwarded-for": caller.forwardedFor } : {}),
          ...caller.headers,
          ...options.headers
        },
        ...(options.body !== undefined ? { body: options.body } : {}),
        redirect: "manual"
      })
    )
    const text = yield* Effect.promise(() => response.text())
    let json: unknown = undefined
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    const raw: RawResponse = { status: response.status, headers: response.headers, text, json }
    return raw
  })

/** The value of cookie `name` among the response's `Set-Cookie` headers. */
export const cookieFrom = (response: RawResponse, name: string) => {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";")
    const [cookieName, ...value] = (pair ?? "").split("=")
    if (cookieName?.trim() === name) return value.join("=")
  }
  return undefined
}

/** Logs in and returns the session cookie. */
export const login = (username = "videoag", password = "videoag") =>
  Effect.gen(function* () {
    const response = yield* request("POST", "/auth/login", {
      body: JSON.stringify({ username, password }),
      headers: { "content-type": "application/json" }
    })
    const session = cookieFrom(response, "videoag_session")
    if (response.status !== 200 || session === undefined) {
      return yield* Effect.dieMessage(`Login failed with ${response.status}: ${response.text}`)
    }
    return { videoag_session: session }
  })
