import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as BuildConfig from "../src/BuildConfig.js"

const file = "packages/server/build.config.ts"

const problemsOf = (value: unknown) =>
  Effect.flip(BuildConfig.decode(file, value)).pipe(
    Effect.map((problems) => problems.map((problem) => problem.message))
  )

describe("BuildConfig.decode", () => {
  it.effect("fills defaults for a minimal config", () =>
    Effect.gen(function* () {
      const config = yield* BuildConfig.decode(file, { targetImageName: "videoag-server" })
      expect(config).toEqual({
        targetImageName: "videoag-server",
        buildDependencies: [],
        aptRuntimeDependencies: [],
        aptBuildDependencies: [],
        dockerfileExtra: null,
        ciTestJobTemplate: null
      })
    })
  )

  it.effect("keeps every field of a full config", () =>
    Effect.gen(function* () {
      const config = yield* BuildConfig.decode(file, {
        targetImageName: "videoag-worker",
        buildDependencies: ["../domain"],
        aptRuntimeDependencies: ["ffmpeg", "libpq5=15.14-0+deb12u1"],
        aptBuildDependencies: ["build-essential", "python3"],
        dockerfileExtra: 'CMD ["node"]',
        ciTestJobTemplate: "script:\n    - npm test\n"
      })
      expect(config.buildDependencies).toEqual(["../domain"])
      expect(config.aptRuntimeDependencies).toEqual(["ffmpeg", "libpq5=15.14-0+deb12u1"])
      expect(config.aptBuildDependencies).toEqual(["build-essential", "python3"])
      expect(config.dockerfileExtra).toBe('CMD ["node"]')
      expect(config.ciTestJobTemplate).toBe("script:\n    - npm test\n")
    })
  )

  it.effect("names the file and field of each invalid value", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
        [{ targetImageName: "Videoag Server" }, 'field "targetImageName": Expected an image name'],
        [{ targetImageName: 42 }, 'field "targetImageName": Expected string, actual 42'],
        [
          { targetImageName: "a", buildDependencies: "../domain" },
          'field "buildDependencies": Expected a list such as ["../domain"], got "../domain"'
        ],
        [
          { targetImageName: "a", buildDependencies: ["/abs/domain"] },
          'field "buildDependencies[0]": Expected a folder path relative to this package'
        ],
        [
          { targetImageName: "a", aptRuntimeDependencies: ["ffmpeg", "FFmpeg!"] },
          'field "aptRuntimeDependencies[1]": Expected a Debian package name'
        ],
        [
          { targetImageName: "a", aptBuildDependencies: [""] },
          'field "aptBuildDependencies[0]": Expected a Debian package name'
        ],
        [
          { targetImageName: "a", dockerfileExtra: ["CMD"] },
          'field "dockerfileExtra": Expected string'
        ],
        [
          { targetImageName: "a", ciTestJobTemplate: { script: [] } },
          'field "ciTestJobTemplate": Expected string'
        ]
      ]
      for (const [value, expected] of cases) {
        const messages = yield* problemsOf(value)
        expect(messages, JSON.stringify(value)).toHaveLength(1)
        expect(messages[0], JSON.stringify(value)).toContain(`${file}: ${expected}`)
      }
    })
  )

  it.effect("requires targetImageName unless the package is a library", () =>
    Effect.gen(function* () {
      const messages = yield* problemsOf({ buildDependencies: ["../domain"] })
      expect(messages).toEqual([
        `${file}: field "targetImageName": missing; name the image (such as "videoag-server"), or set library: true for a package that is only built into other images`
      ])
      const library = yield* BuildConfig.decode(file, { library: true })
      expect(library.targetImageName).toBeNull()
    })
  )

  it.effect("rejects image fields in a library", () =>
    Effect.gen(function* () {
      const messages = yield* problemsOf({
        library: true,
        targetImageName: "domain",
        ciTestJobTemplate: "script: []"
      })
      expect(messages).toHaveLength(2)
      expect(messages[0]).toContain('field "targetImageName": a library package has no image')
      expect(messages[1]).toContain('field "ciTestJobTemplate": a library package has no image')
    })
  )

  it.effect("rejects unknown fields and repeated dependencies", () =>
    Effect.gen(function* () {
      const unknown = yield* problemsOf({ targetImageName: "a", aptDependencies: ["ffmpeg"] })
      expect(unknown).toHaveLength(1)
      expect(unknown[0]).toContain('field "aptDependencies": unknown field; the known fields are')
      const repeated = yield* problemsOf({
        targetImageName: "a",
        buildDependencies: ["../domain", "../domain"]
      })
      expect(repeated).toEqual([
        `${file}: field "buildDependencies[1]": "../domain" is listed twice`
      ])
    })
  )

  it.effect("rejects a default export that is not an object", () =>
    Effect.gen(function* () {
      for (const value of [undefined, null, "videoag", [1]]) {
        const messages = yield* problemsOf(value)
        expect(messages, String(value)).toHaveLength(1)
        expect(messages[0]).toContain(`${file}: the default export must be an object`)
      }
    })
  )
})
