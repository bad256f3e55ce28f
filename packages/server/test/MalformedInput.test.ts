/**
 * Malformed input on every endpoint of the OpenAPI document: wrong types, huge strings,
 * unknown fields, bad ids, bad JSON and wrong content types each get a 4xx JSON error with a
 * documented `code`, naming the field where one is to blame. Then a generated fuzz run (fast-check
 * with a fixed seed) sends random paths, query strings and bodies and must never get a 5xx.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import fc from "fast-check"
import * as Http from "node:http"
import { errorCodeCatalogue } from "@videoag/domain"
import * as Fixtures from "./Fixtures.js"
import * as TestServer from "./TestServer.js"

interface Operation {
  readonly method: string
  readonly path: string
  readonly pathParams: ReadonlyArray<string>
  readonly queryParams: ReadonlyArray<{ readonly name: string; readonly schema: unknown }>
  readonly hasBody: boolean
  readonly bodyProperties: ReadonlyArray<string>
}

interface SchemaObject {
  readonly $ref?: string
  readonly properties?: Record<string, unknown>
  readonly anyOf?: ReadonlyArray<SchemaObject>
}

type OpenApiDocument = {
  readonly paths: Record<
    string,
    Record<
      string,
      {
        readonly parameters?: ReadonlyArray<{ name: string; in: string; schema: unknown }>
        readonly requestBody?: { content: Record<string, { schema: SchemaObject }> }
      }
    >
  >
  readonly components: { readonly schemas: Record<string, SchemaObject> }
}

const operationsOf = (document: OpenApiDocument): ReadonlyArray<Operation> =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const schema = operation.requestBody?.content["application/json"]?.schema
      const resolved =
        schema?.["$ref"] !== undefined
          ? document.components.schemas[String(schema["$ref"]).split("/").at(-1) ?? ""]
          : schema
      const properties = resolved?.["properties"] ?? resolved?.["anyOf"]?.[0]?.["properties"] ?? {}
      return {
        method: method.toUpperCase(),
        path,
        pathParams: (operation.parameters ?? [])
          .filter((parameter) => parameter.in === "path")
          .map((parameter) => parameter.name),
        queryParams: (operation.parameters ?? [])
          .filter((parameter) => parameter.in === "query")
          .map((parameter) => ({ name: parameter.name, schema: parameter.schema })),
        hasBody: operation.requestBody !== undefined,
        bodyProperties: Object.keys(properties)
      }
    })
  )

/** A path with valid values for its parameters, or the given replacement for one of them. */
const fillPath = (operation: Operation, replace?: { name: string; value: string }) =>
  operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    if (replace?.name === name) return replace.value
    return name === "handle" ? "fuzz" : "1"
  })

const documentedCodes: ReadonlySet<string> = new Set(Object.keys(errorCodeCatalogue))

const expectError = (
  response: TestServer.RawResponse,
  label: string,
  statuses?: ReadonlyArray<number>
) => {
  expect(response.status, `${label}: ${response.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400)
  expect(response.status, `${label}: ${response.text.slice(0, 300)}`).toBeLessThan(500)
  if (statuses)
    expect(statuses, `${label}: ${response.text.slice(0, 300)}`).toContain(response.status)
  const body = response.json as { code?: unknown; message?: unknown } | undefined
  expect(typeof body?.code, `${label}: ${response.text.slice(0, 300)}`).toBe("string")
  expect(
    documentedCodes.has(String(body?.code)),
    `${label}: undocumented ${String(body?.code)}`
  ).toBe(true)
  expect(typeof body?.message, label).toBe("string")
  return body as { code: string; message: string; field?: string }
}

const json = { "content-type": "application/json" }

describe("malformed input", () => {
  it.layer(TestServer.layer())((it) => {
    let cached: { moderator: TestServer.Caller; operations: ReadonlyArray<Operation> } | undefined
    const build = Effect.gen(function* () {
      const courseId = yield* Fixtures.course({ handle: "fuzz", title: "Fuzzing" })
      const lectureId = yield* Fixtures.lecture({ courseId, title: "Fuzz lecture" })
      yield* Fixtures.medium(lectureId, "public")
      const cookies = yield* TestServer.login()
      const moderator: TestServer.Caller = { cookies, headers: { "x-videoag-csrf": "1" } }
      const document = (yield* TestServer.request("GET", "/api/v1/openapi.json"))
        .json as OpenApiDocument
      cached = { moderator, operations: operationsOf(document) }
      return cached
    })
    const setup = Effect.suspend(() => (cached ? Effect.succeed(cached) : build))

    it.effect("every endpoint rejects malformed input with a documented 4xx", () =>
      Effect.gen(function* () {
        const { moderator, operations } = yield* setup
        expect(operations.length).toBeGreaterThan(50)
        for (const operation of operations) {
          if (operation.path.endsWith("/auth/logout")) continue
          const label = `${operation.method} ${operation.path}`
          const send = (path: string, body?: string, headers: Record<string, string> = json) =>
            TestServer.request(operation.method, path, {
              caller: moderator,
              headers,
              ...(body !== undefined ? { body } : {})
            })

          for (const name of operation.pathParams) {
            for (const bad of [
              "0",
              "-1",
              "abc",
              "9".repeat(40),
              "%E2%82",
              "x".repeat(5000),
              "Bad Handle"
            ]) {
              if (name === "handle" && bad === "abc") continue
              const response = yield* send(fillPath(operation, { name, value: bad }))
              const error = expectError(response, `${label} ${name}=${bad.slice(0, 20)}`)
              if (response.status === 400) expect(error.field, label).toBeDefined()
            }
          }

          for (const { name } of operation.queryParams) {
            for (const bad of ["", "-5", "not a value", "x".repeat(5000), "1e400", "[]"]) {
              const others = operation.queryParams
                .filter((other) => other.name !== name && other.name === "q")
                .map((other) => `&${other.name}=lecture`)
                .join("")
              const response = yield* send(
                `${fillPath(operation)}?${name}=${encodeURIComponent(bad)}${others}`,
                operation.hasBody ? "{}" : undefined
              )
              if (response.status < 400) continue
              const error = expectError(response, `${label} ?${name}=${bad.slice(0, 20)}`)
              if (error.code === "invalid_request") expect(error.message, label).toContain(name)
            }
          }

          if (operation.hasBody) {
            const path = fillPath(operation)
            const cases: ReadonlyArray<
              [string, string | undefined, Record<string, string>, ReadonlyArray<number>]
            > = [
              ["bad JSON", '{"title": ', json, [400]],
              ["array body", "[1, 2, 3]", json, [400]],
              ["string body", JSON.stringify("hello"), json, [400]],
              ["null body", "null", json, [400]],
              ["unknown field", JSON.stringify({ surelyUnknownField: 1 }), json, [400]],
              ["wrong content type", "{}", { "content-type": "text/plain" }, [415]],
              [
                "form content type",
                "a=1",
                { "content-type": "application/x-www-form-urlencoded" },
                [415]
              ],
              ["body over 1 MiB", JSON.stringify({ text: "x".repeat(1_100_000) }), json, [413]]
            ]
            for (const [name, body, headers, statuses] of cases) {
              const response = yield* send(path, body, headers)
              const error = expectError(response, `${label} ${name}`, [...statuses, 404])
              if (response.status === 400) expect(error.field, `${label} ${name}`).toBeDefined()
            }
            for (const property of operation.bodyProperties) {
              for (const value of [12345, true, [], { nested: 1 }, "x".repeat(100_000), -1.5]) {
                const response = yield* send(path, JSON.stringify({ [property]: value }))
                if (response.status < 400) continue
                const error = expectError(
                  response,
                  `${label} ${property}=${JSON.stringify(value).slice(0, 20)}`
                )
                if (response.status === 400) expect(error.field, label).toBeDefined()
              }
            }
          }
        }
      })
    )

    it.effect("a chunked body over 1 MiB is cut off", () =>
      Effect.gen(function* () {
        const { moderator } = yield* setup
        const baseUrl = yield* TestServer.ServerUrl
        const result = yield* Effect.async<{ status: number; text: string }, Error>((resume) => {
          const request = Http.request(`${baseUrl}/api/v1/courses`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-videoag-csrf": "1",
              cookie: `videoag_session=${moderator.cookies?.["videoag_session"] ?? ""}`
            }
          })
          request.on("response", (response) => {
            let text = ""
            response.on("data", (data: Buffer) => (text += data.toString()))
            response.on("end", () =>
              resume(Effect.succeed({ status: response.statusCode ?? 0, text }))
            )
          })
          request.on("error", (error) =>
            resume(
              "code" in error && (error.code === "ECONNRESET" || error.code === "EPIPE")
                ? Effect.succeed({ status: 0, text: "" })
                : Effect.fail(error)
            )
          )
          const chunk = `"${"x".repeat(64 * 1024)}`
          request.write(`{"title": `)
          for (let index = 0; index < 20; index++) request.write(chunk)
          request.end()
        })
        // The server stops reading at the limit; the client either gets the 413 or, while it is
        // still sending, a reset connection. It never gets a 5xx or a created course.
        if (result.status !== 0) {
          expect(result.status, result.text).toBe(413)
          expect((JSON.parse(result.text) as { code: string }).code).toBe("payload_too_large")
        }
        const list = yield* TestServer.request("GET", "/courses", { caller: moderator })
        expect(JSON.stringify(list.json)).not.toContain("xxxxxxxx")
      })
    )

    it.effect("unknown routes get a JSON 404", () =>
      Effect.gen(function* () {
        for (const path of ["/api/v1/nothing", "/api/v1/courses/fuzz/unknown", "/api/v2/courses"]) {
          const response = yield* TestServer.request("GET", path)
          const error = expectError(response, path, [404])
          expect(error.code).toBe("route_not_found")
        }
      })
    )

    it.effect("a generated fuzz run gets no 5xx", () =>
      Effect.gen(function* () {
        const { moderator, operations } = yield* setup
        const segment = fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.integer().map(String),
          fc.constantFrom("0", "1", "fuzz", "..", "%00", "%", "ü", " ", "9007199254740993")
        )
        const queryValue = fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.integer().map(String),
          fc.constant("")
        )
        const body = fc.oneof(
          fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
          fc.string({ maxLength: 200 }),
          fc
            .dictionary(
              fc.constantFrom(
                "title",
                "handle",
                "password",
                "visible",
                "rules",
                "startTime",
                "ids",
                "kind",
                "input",
                "type",
                "text",
                "q"
              ),
              fc.jsonValue({ maxDepth: 2 })
            )
            .map((value) => JSON.stringify(value))
        )
        const requests = fc.sample(
          fc.record({
            operation: fc.constantFrom(
              ...operations.filter((operation) => !operation.path.endsWith("/auth/logout"))
            ),
            segment,
            query: fc.dictionary(
              fc.constantFrom(
                "q",
                "limit",
                "offset",
                "semester",
                "listed",
                "profile",
                "status",
                "from",
                "to",
                "objectId",
                "objectType",
                "all",
                "since",
                "type",
                "state",
                "unassigned",
                "lectureId",
                "sourceFileId"
              ),
              queryValue,
              { maxKeys: 3 }
            ),
            body,
            asModerator: fc.boolean(),
            contentType: fc.constantFrom(
              "application/json",
              "application/json; charset=utf-8",
              "text/plain",
              undefined
            )
          }),
          { seed: 20261014, numRuns: 1200 }
        )
        let serverErrors = 0
        const statuses: Record<number, number> = {}
        for (const generated of requests) {
          const { operation } = generated
          const [parameter] = operation.pathParams
          const path = fillPath(
            operation,
            parameter === undefined
              ? undefined
              : { name: parameter, value: encodeURIComponent(generated.segment) }
          )
          const search = new URLSearchParams(generated.query).toString()
          const response = yield* TestServer.request(
            operation.method,
            `${path}${search ? `?${search}` : ""}`,
            {
              caller: generated.asModerator ? moderator : {},
              headers: generated.contentType ? { "content-type": generated.contentType } : {},
              ...(operation.method === "GET" ? {} : { body: generated.body })
            }
          )
          statuses[response.status] = (statuses[response.status] ?? 0) + 1
          if (response.status >= 500) {
            serverErrors += 1
            expect
              .soft(
                response.status,
                `${operation.method} ${path}?${search} ${generated.body.slice(0, 200)} -> ${response.text.slice(0, 300)}`
              )
              .toBeLessThan(500)
          }
          if (response.status >= 400) {
            const error = response.json as { code?: unknown } | undefined
            expect(
              documentedCodes.has(String(error?.code)),
              `${operation.method} ${path}: ${response.text.slice(0, 200)}`
            ).toBe(true)
          }
        }
        expect(statuses[200] ?? 0, JSON.stringify(statuses)).toBeGreaterThan(50)
        expect(statuses[400] ?? 0, JSON.stringify(statuses)).toBeGreaterThan(50)
        expect(serverErrors).toBe(0)
      })
    )
  })
})
