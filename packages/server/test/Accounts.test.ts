/**
 * Moderator sessions, the CSRF header on cookie-authenticated writes, rate-limited logins and
 * password attempts, account management by admins, and the command that creates a moderator.
 */
import { describe, expect, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { createModerator, parseArguments } from "../src/CreateModerator.js"
import * as Fixtures from "./Fixtures.js"
import * as TestServer from "./TestServer.js"

const json = { "content-type": "application/json" }

const loginRequest = (username: string, password: string, forwardedFor: string) =>
  TestServer.request("POST", "/auth/login", {
    body: JSON.stringify({ username, password }),
    headers: json,
    caller: { forwardedFor }
  })

describe("accounts", () => {
  it.layer(TestServer.layer())((it) => {
    it.effect("login sets an HttpOnly SameSite=Lax session cookie", () =>
      Effect.gen(function* () {
        const response = yield* loginRequest("videoag", "videoag", "198.51.100.20")
        expect(response.status).toBe(200)
        const header = response.headers
          .getSetCookie()
          .find((cookie) => cookie.startsWith("videoag_session="))
        expect(header).toBeDefined()
        expect(header).toMatch(/HttpOnly/i)
        expect(header).toMatch(/SameSite=Lax/i)
        expect(header).not.toMatch(/Secure/i)
        expect(header).toMatch(/Max-Age=3600/i)
        const sql = yield* SqlClient.SqlClient
        const token = TestServer.cookieFrom(response, "videoag_session")!
        const stored = yield* sql<{ count: number }>`
          SELECT count(*)::int AS count FROM sessions WHERE token_hash = sha256(${Buffer.from(token)})
        `
        expect(stored[0]!.count).toBe(1)
      })
    )

    it.effect("cookie-authenticated writes need the CSRF header", () =>
      Effect.gen(function* () {
        const cookies = yield* TestServer.login()
        const body = JSON.stringify({ handle: "csrf", title: "CSRF" })
        const without = yield* TestServer.request("POST", "/courses", {
          body,
          headers: json,
          caller: { cookies }
        })
        expect(without.status).toBe(403)
        expect((without.json as { code: string }).code).toBe("csrf_header_missing")
        const empty = yield* TestServer.request("POST", "/courses", {
          body,
          headers: { ...json, "X-VideoAG-CSRF": " " },
          caller: { cookies }
        })
        expect(empty.status).toBe(403)
        const read = yield* TestServer.request("GET", "/auth/me", { caller: { cookies } })
        expect(read.status).toBe(200)
        const withHeader = yield* TestServer.request("POST", "/courses", {
          body,
          headers: { ...json, "X-VideoAG-CSRF": "1" },
          caller: { cookies }
        })
        expect(withHeader.status).toBe(201)
      })
    )

    it.effect("CORS answers only the configured origin", () =>
      Effect.gen(function* () {
        const preflight = (origin: string) =>
          TestServer.request("OPTIONS", "/courses", {
            headers: {
              origin,
              "access-control-request-method": "POST",
              "access-control-request-headers": "content-type, x-videoag-csrf"
            }
          })
        const allowed = yield* preflight("https://video.example.org")
        expect(allowed.headers.get("access-control-allow-origin")).toBe("https://video.example.org")
        expect(allowed.headers.get("access-control-allow-credentials")).toBe("true")
        expect(allowed.headers.get("access-control-allow-headers")).toContain("x-videoag-csrf")
        const foreign = yield* preflight("https://evil.example.com")
        expect(foreign.headers.get("access-control-allow-origin")).not.toBe(
          "https://evil.example.com"
        )
      })
    )

    it.effect("media.relocate cannot be enqueued by hand", () =>
      Effect.gen(function* () {
        const cookies = yield* TestServer.login()
        const response = yield* TestServer.request("POST", "/jobs", {
          body: JSON.stringify({
            type: "media.relocate",
            input: { moves: [{ from: "published/protected/a.mp4", to: "published/public/a.mp4" }] }
          }),
          headers: { ...json, "x-videoag-csrf": "1" },
          caller: { cookies }
        })
        expect(response.status).toBe(400)
        expect((response.json as { field: string }).field).toBe("type")
      })
    )

    it.effect("logout revokes the session", () =>
      Effect.gen(function* () {
        const cookies = yield* TestServer.login()
        const logout = yield* TestServer.request("POST", "/auth/logout", { caller: { cookies } })
        expect(logout.status).toBe(204)
        const me = yield* TestServer.request("GET", "/auth/me", { caller: { cookies } })
        expect(me.status).toBe(401)
        expect((me.json as { code: string }).code).toBe("session_expired")
      })
    )

    it.effect("failed logins are limited per username and per address", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const passwordHash = (yield* sql<{ passwordHash: string }>`
          SELECT password_hash FROM users WHERE username = 'videoag'
        `)[0]!.passwordHash
        yield* sql`
          INSERT INTO users (username, display_name, password_hash) VALUES ('target', 'Target', ${passwordHash})
        `
        for (let attempt = 0; attempt < 10; attempt++) {
          const response = yield* loginRequest("target", "wrong", `198.51.100.${100 + attempt}`)
          expect(response.status).toBe(401)
        }
        const limited = yield* loginRequest("target", "videoag", "198.51.100.200")
        expect(limited.status).toBe(429)
        const error = limited.json as { code: string; retryAfterSeconds: number }
        expect(error.code).toBe("rate_limited")
        expect(error.retryAfterSeconds).toBeGreaterThan(0)
        expect(error.retryAfterSeconds).toBeLessThanOrEqual(900)

        for (let attempt = 0; attempt < 30; attempt++) {
          const response = yield* loginRequest(`nobody${attempt}`, "wrong", "203.0.113.50")
          expect(response.status).toBe(401)
        }
        const fromAddress = yield* loginRequest("videoag", "videoag", "203.0.113.50")
        expect(fromAddress.status).toBe(429)
        const elsewhere = yield* loginRequest("videoag", "videoag", "203.0.113.51")
        expect(elsewhere.status).toBe(200)

        const keys = yield* sql<{ keyHash: Buffer }>`SELECT key_hash FROM rate_limit_buckets`
        for (const { keyHash } of keys) {
          expect(keyHash.toString("latin1")).not.toContain("203.0.113.50")
        }
      })
    )

    it.effect("wrong course passwords are limited per address", () =>
      Effect.gen(function* () {
        yield* Fixtures.course({
          handle: "locked",
          title: "Locked",
          rules: ["password"],
          password: "right-one"
        })
        const attempt = (password: string, forwardedFor: string) =>
          TestServer.request("POST", "/courses/locked/password", {
            body: JSON.stringify({ password }),
            headers: json,
            caller: { forwardedFor }
          })
        for (let index = 0; index < 10; index++) {
          const response = yield* attempt("wrong", "192.0.2.77")
          expect(response.status).toBe(403)
          expect((response.json as { code: string }).code).toBe("password_incorrect")
        }
        expect((yield* attempt("right-one", "192.0.2.77")).status).toBe(429)
        const granted = yield* attempt("right-one", "192.0.2.78")
        expect(granted.status).toBe(200)
        const cookie = granted.headers
          .getSetCookie()
          .find((header) => header.startsWith("videoag_grants="))
        expect(cookie).toMatch(/HttpOnly/i)
        expect(cookie).toMatch(/Max-Age=604800/i)
        yield* Fixtures.course({ handle: "open-door", title: "Open" })
        const none = yield* TestServer.request("POST", "/courses/open-door/password", {
          body: JSON.stringify({ password: "x" }),
          headers: json
        })
        expect(none.status).toBe(409)
        expect((none.json as { code: string }).code).toBe("password_not_set")
      })
    )

    it.effect("a new course password voids earlier grants", () =>
      Effect.gen(function* () {
        const courseId = yield* Fixtures.course({
          handle: "rotating",
          title: "Rotating",
          rules: ["password"],
          password: "first-pass"
        })
        const lectureId = yield* Fixtures.lecture({ courseId, title: "Rotating lecture" })
        yield* Fixtures.medium(lectureId, "protected")
        const granted = yield* TestServer.request("POST", "/courses/rotating/password", {
          body: JSON.stringify({ password: "first-pass" }),
          headers: json,
          caller: { forwardedFor: "192.0.2.90" }
        })
        const grants = TestServer.cookieFrom(granted, "videoag_grants")!
        const watch = () =>
          Effect.map(
            TestServer.request("GET", `/lectures/${lectureId}`, {
              caller: { cookies: { videoag_grants: grants } }
            }),
            (response) => (response.json as { access: { granted: boolean } }).access.granted
          )
        expect(yield* watch()).toBe(true)
        const cookies = yield* TestServer.login()
        const changed = yield* TestServer.request("PUT", "/courses/rotating/access-rules", {
          body: JSON.stringify({ rules: [{ kind: "password", password: "second-pass" }] }),
          headers: { ...json, "x-videoag-csrf": "1" },
          caller: { cookies }
        })
        expect(changed.status).toBe(200)
        expect(yield* watch()).toBe(false)
      })
    )

    it.effect("only admins manage accounts, and a password change ends other sessions", () =>
      Effect.gen(function* () {
        const admin = {
          cookies: yield* TestServer.login(),
          headers: { ...json, "x-videoag-csrf": "1" }
        }
        const created = yield* TestServer.request("POST", "/users", {
          body: JSON.stringify({
            username: "max",
            displayName: "Max",
            password: "max password 123"
          }),
          caller: admin
        })
        expect(created.status, created.text).toBe(201)
        const duplicate = yield* TestServer.request("POST", "/users", {
          body: JSON.stringify({
            username: "max",
            displayName: "Max",
            password: "max password 123"
          }),
          caller: admin
        })
        expect((duplicate.json as { code: string }).code).toBe("username_taken")

        const max = {
          cookies: yield* TestServer.login("max", "max password 123"),
          headers: { ...json, "x-videoag-csrf": "1" }
        }
        const forbidden = yield* TestServer.request("GET", "/users", { caller: max })
        expect(forbidden.status).toBe(403)
        expect((forbidden.json as { code: string }).code).toBe("admin_required")

        const otherSession = yield* TestServer.login("max", "max password 123")
        const changed = yield* TestServer.request("PUT", "/auth/password", {
          body: JSON.stringify({
            currentPassword: "max password 123",
            newPassword: "new max password"
          }),
          caller: max
        })
        expect(changed.status, changed.text).toBe(204)
        expect((yield* TestServer.request("GET", "/auth/me", { caller: max })).status).toBe(200)
        expect(
          (yield* TestServer.request("GET", "/auth/me", { caller: { cookies: otherSession } }))
            .status
        ).toBe(401)

        const userId = (created.json as { id: number }).id
        const deleted = yield* TestServer.request("DELETE", `/users/${userId}`, { caller: admin })
        expect(deleted.status).toBe(204)
        expect((yield* TestServer.request("GET", "/auth/me", { caller: max })).status).toBe(401)
        expect((yield* loginRequest("max", "new max password", "198.51.100.60")).status).toBe(401)
      })
    )

    it.effect("the create-moderator command creates an admin and resets passwords", () =>
      Effect.gen(function* () {
        const parsed = parseArguments(["--username", "first", "--display-name", "First Admin"])
        expect(Either.isRight(parsed)).toBe(true)
        expect(Either.isLeft(parseArguments(["--username"]))).toBe(true)
        expect(Either.isLeft(parseArguments(["--name", "x"]))).toBe(true)
        const options = {
          ...Either.getOrThrow(parsed),
          password: Redacted.make("first admin password")
        }
        const id = yield* createModerator(options)
        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql<{
          role: string
          displayName: string
        }>`SELECT role, display_name FROM users WHERE id = ${id}`
        expect(row).toEqual({ role: "admin", displayName: "First Admin" })
        expect((yield* loginRequest("first", "first admin password", "198.51.100.70")).status).toBe(
          200
        )

        const again = yield* Effect.either(createModerator(options))
        expect(Either.isLeft(again)).toBe(true)
        const short = yield* Effect.either(
          createModerator({ ...options, username: "second", password: Redacted.make("short") })
        )
        expect(Either.isLeft(short) && short.left.message).toContain("password")

        const reset = yield* createModerator({
          ...options,
          resetPassword: true,
          password: Redacted.make("a brand new password")
        })
        expect(reset).toBe(id)
        expect((yield* loginRequest("first", "a brand new password", "198.51.100.71")).status).toBe(
          200
        )
      })
    )
  })
})
