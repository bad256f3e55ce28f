/**
 * The served contract: the OpenAPI document lists every endpoint with a summary and examples,
 * documents every error code, and the docs page renders. Success examples decode with the
 * schemas the frontend relies on.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  AccessRules,
  Announcement,
  ChangeLogPage,
  Chapter,
  Course,
  CourseDetail,
  errorCodeCatalogue,
  Featured,
  Job,
  JobPage,
  Lecture,
  LectureDetail,
  Medium,
  PasswordGrant,
  SearchResults,
  SemesterCourses,
  SourceFile,
  SourceFilePage,
  User,
  UserAccount,
  ViewStatistics,
  AttachedSourceFile,
  PublishedFileProblem,
  UnassignedSourceFile,
  WaitingIncomingFile
} from "@videoag/domain"
import * as TestServer from "./TestServer.js"

const schemas: Record<string, Schema.Schema.AnyNoContext> = {
  AccessRules,
  Announcement,
  AttachedSourceFile,
  ChangeLogPage,
  Chapter,
  Course,
  CourseDetail,
  Featured,
  Job,
  JobPage,
  Lecture,
  LectureDetail,
  Medium,
  PasswordGrant,
  SearchResults,
  SemesterCourses,
  SourceFile,
  SourceFilePage,
  User,
  UserAccount,
  ViewStatistics,
  UnassignedSourceFile,
  WaitingIncomingFile,
  PublishedFileProblem
}

interface Content {
  readonly schema?: { readonly $ref?: string; readonly items?: { readonly $ref?: string } }
  readonly example?: unknown
}

interface Operation {
  readonly operationId: string
  readonly summary?: string
  readonly responses: Record<string, { readonly content?: Record<string, Content> }>
  readonly requestBody?: { readonly content: Record<string, Content> }
}

type Document = {
  info: { description: string }
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown> }
}

describe("OpenAPI document", () => {
  it.layer(TestServer.layer())((it) => {
    const load = Effect.map(
      TestServer.request("GET", "/api/v1/openapi.json"),
      (response) => response.json as Document
    )

    it.effect("covers every endpoint with a summary and examples", () =>
      Effect.gen(function* () {
        const document = yield* load
        const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
          Object.entries(methods).map(([method, operation]) => ({ path, method, operation }))
        )
        expect(operations.length).toBeGreaterThanOrEqual(59)
        for (const { method, operation, path } of operations) {
          const label = `${method} ${path}`
          expect(typeof operation["summary"], label).toBe("string")
          for (const [status, response] of Object.entries(operation.responses)) {
            for (const content of Object.values(response.content ?? {})) {
              expect(content["example"], `${label} ${status}`).toBeDefined()
            }
          }
          const content = operation["requestBody"]?.content?.["application/json"]
          if (content?.schema?.["$ref"]) {
            const name = String(content.schema["$ref"]).split("/").at(-1)!
            const component = document.components.schemas[name] as Record<string, unknown>
            expect(
              component["examples"] ?? content["example"],
              `${label} payload example`
            ).toBeDefined()
          }
        }
      })
    )

    it.effect("documents every error code", () =>
      Effect.gen(function* () {
        const document = yield* load
        const text = JSON.stringify(document)
        for (const [code, [status]] of Object.entries(errorCodeCatalogue)) {
          expect(document.info.description, code).toContain(`| \`${code}\` | ${status} |`)
          expect(text.includes(`"${code}"`), `${code} in a schema enum`).toBe(true)
        }
        expect(text).not.toContain("HttpApiDecodeError")
      })
    )

    it.effect("success examples decode with the response schemas", () =>
      Effect.gen(function* () {
        const document = yield* load
        let checked = 0
        for (const methods of Object.values(document.paths)) {
          for (const operation of Object.values(methods)) {
            for (const [status, response] of Object.entries(operation.responses)) {
              if (!status.startsWith("2")) continue
              const content = response["content"]?.["application/json"]
              const ref = content?.schema?.["$ref"] ?? content?.schema?.items?.["$ref"]
              const schema = ref ? schemas[String(ref).split("/").at(-1)!] : undefined
              if (schema === undefined || content === undefined) continue
              const examples = Array.isArray(content.example) ? content.example : [content.example]
              for (const example of examples) {
                const decoded = Schema.decodeUnknownEither(schema)(example)
                expect(
                  decoded._tag,
                  `${operation["operationId"]}: ${String(decoded._tag === "Left" ? decoded.left : "")}`
                ).toBe("Right")
                checked += 1
              }
            }
          }
        }
        expect(checked).toBeGreaterThan(30)
      })
    )

    it.effect("serves the docs page and the health probes", () =>
      Effect.gen(function* () {
        const docs = yield* TestServer.request("GET", "/api/v1/docs")
        expect(docs.status).toBe(200)
        expect(docs.headers.get("content-type")).toContain("text/html")
        expect(docs.text.includes("Video AG API"), docs.text.slice(0, 200)).toBe(true)
        expect((yield* TestServer.request("GET", "/health/live")).status).toBe(200)
        const ready = yield* TestServer.request("GET", "/health/ready")
        expect(ready.status).toBe(200)
        expect(ready.json).toMatchObject({ status: "ready" })
        const metrics = yield* TestServer.request("GET", "/metrics")
        expect(metrics.status).toBe(200)
        expect(metrics.text).toContain("videoag_http_requests_total{")
      })
    )

    it.effect("points from the API root to its docs", () =>
      Effect.gen(function* () {
        const index = yield* TestServer.request("GET", "/api/v1")
        expect(index.status).toBe(200)
        expect(index.json).toEqual({
          name: "Video AG API",
          version: "1",
          docs: "/api/v1/docs",
          openapi: "/api/v1/openapi.json"
        })
      })
    )
  })
})
