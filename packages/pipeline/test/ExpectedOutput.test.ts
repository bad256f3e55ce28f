import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import * as Generator from "../src/Generator.js"

const fixture = Path.join(import.meta.dirname, "fixtures", "sample")
const expectedFolder = Path.join(import.meta.dirname, "fixtures", "sample-expected")

describe("generated output", () => {
  // Set UPDATE_EXPECTED=1 to rewrite the expected files after an intended change, then review
  // the difference before committing it.
  it.effect("matches the expected files of the sample repository", () =>
    Effect.gen(function* () {
      const files = yield* Generator.generate(fixture)
      expect(files.map((file) => file.path)).toEqual([
        "docker/server.Dockerfile",
        "docker/ci/server.Dockerfile",
        "docker/workers.Dockerfile",
        "docker/ci/workers.Dockerfile",
        ".gitlab-ci.yml"
      ])
      for (const file of files) {
        const expectedPath = Path.join(expectedFolder, file.path)
        if (process.env["UPDATE_EXPECTED"] === "1") {
          yield* Effect.promise(async () => {
            await Fs.mkdir(Path.dirname(expectedPath), { recursive: true })
            await Fs.writeFile(expectedPath, file.content)
          })
        }
        const expected = yield* Effect.promise(() => Fs.readFile(expectedPath, "utf8"))
        expect(file.content, file.path).toBe(expected)
      }
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
