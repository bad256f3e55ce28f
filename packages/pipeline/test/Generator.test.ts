import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import * as Generator from "../src/Generator.js"
import * as TestRepository from "./TestRepository.js"

const generate = (root: string) => Generator.generate(root).pipe(Effect.provide(NodeContext.layer))

const problemsOf = (root: string) =>
  Effect.flip(generate(root)).pipe(Effect.map((problems) => problems.map((p) => p.message)))

const fileOf = (files: ReadonlyArray<Generator.GeneratedFile>, path: string) => {
  const file = files.find((candidate) => candidate.path === path)
  if (file === undefined) throw new Error(`${path} was not generated`)
  return file.content
}

/** The lines of one stage (from its FROM line to the next blank line). */
const stageOf = (dockerfile: string, stage: string) => {
  const start = dockerfile.indexOf(`AS ${stage}\n`)
  const end = dockerfile.indexOf("\n\n", start)
  return dockerfile.slice(start, end === -1 ? undefined : end)
}

describe("Generator.generate", () => {
  it.scoped("follows build dependencies transitively", () =>
    Effect.gen(function* () {
      const root = yield* TestRepository.make({
        domain: { config: '{ library: true, aptRuntimeDependencies: ["libpq5"] }' },
        api: { config: '{ library: true, buildDependencies: ["../domain"] }' },
        server: {
          config: '{ targetImageName: "videoag-server", buildDependencies: ["../api"] }'
        }
      })
      const files = yield* generate(root)
      expect(files.map((file) => file.path)).toEqual([
        "docker/server.Dockerfile",
        "docker/ci/server.Dockerfile",
        ".gitlab-ci.yml"
      ])
      const dockerfile = fileOf(files, "docker/server.Dockerfile")
      expect(stageOf(dockerfile, "dependencies")).toContain(
        [
          "COPY packages/domain/package.json packages/domain/",
          "COPY packages/api/package.json packages/api/",
          "COPY packages/server/package.json packages/server/"
        ].join("\n")
      )
      expect(dockerfile).toContain(
        "--workspace=packages/domain --workspace=packages/api --workspace=packages/server"
      )
      expect(stageOf(dockerfile, "runtime")).toContain(
        [
          "COPY packages/domain/src packages/domain/src",
          "COPY packages/api/src packages/api/src",
          "COPY packages/server/src packages/server/src"
        ].join("\n")
      )
      expect(stageOf(dockerfile, "base")).toContain(
        "apt-get install -y --no-install-recommends tini libpq5"
      )
    })
  )

  it.scoped("names images with the branch prefix", () =>
    Effect.gen(function* () {
      const root = yield* TestRepository.make({
        server: {
          config:
            '{ targetImageName: "videoag-server", ciTestJobTemplate: "script:\\n    - npm test\\n" }'
        }
      })
      const ci = fileOf(yield* generate(root), ".gitlab-ci.yml")
      expect(ci).toContain(
        '--destination "$CI_REGISTRY_IMAGE/${IMAGE_PREFIX}videoag-server:$CI_COMMIT_SHA"'
      )
      expect(ci).toContain(
        '--destination "$CI_REGISTRY_IMAGE/development_videoag-server:$CI_COMMIT_SHA-test"'
      )
      expect(ci).toContain(
        'image: "$CI_REGISTRY_IMAGE/development_videoag-server:$CI_COMMIT_SHA-test"'
      )
      expect(ci).toMatch(
        /if: \$CI_COMMIT_REF_PROTECTED == "true"\n +variables:\n +IMAGE_PREFIX: production_/
      )
      expect(ci).toMatch(/when: always\n +variables:\n +IMAGE_PREFIX: development_/)
      expect(ci).toContain("newName: $CI_REGISTRY_IMAGE/production_videoag-server")
    })
  )

  it.scoped("rejects a repository without build configs", () =>
    Effect.gen(function* () {
      const root = yield* TestRepository.make({})
      const problems = yield* problemsOf(root)
      expect(problems).toHaveLength(1)
      expect(problems[0]).toContain("packages/*/build.config.ts: no package under ")
      expect(problems[0]).toContain("run the generator from the repository root or pass --root")
    })
  )

  it.scoped("rejects a dependency cycle", () =>
    Effect.gen(function* () {
      const root = yield* TestRepository.make({
        a: { config: '{ targetImageName: "a", buildDependencies: ["../b"] }' },
        b: { config: '{ library: true, buildDependencies: ["../c"] }' },
        c: { config: '{ library: true, buildDependencies: ["../b"] }' }
      })
      const problems = yield* problemsOf(root)
      expect(problems).toEqual([
        'packages/b/build.config.ts: field "buildDependencies[0]": build dependency cycle: packages/b -> packages/c -> packages/b; a package cannot be built into itself'
      ])
    })
  )

  it.scoped("rejects missing, outside and self dependencies", () =>
    Effect.gen(function* () {
      const root = yield* TestRepository.make({
        server: {
          config: '{ targetImageName: "server", buildDependencies: ["../domian", "../../..", "."] }'
        }
      })
      const problems = yield* problemsOf(root)
      expect(problems).toEqual([
        'packages/server/build.config.ts: field "buildDependencies[0]": "../domian" has no build.config.ts (looked for packages/domian/build.config.ts); add one or fix the path',
        'packages/server/build.config.ts: field "buildDependencies[1]": "../../.." is outside the repository; name a package folder inside it',
        'packages/server/build.config.ts: field "buildDependencies[2]": "." is this package itself'
      ])
    })
  )

  it.scoped("reports every invalid config, not only the first", () =>
    Effect.gen(function* () {
      const root = yield* TestRepository.make({
        server: { config: '{ targetImageName: "Server" }' },
        workers: { config: "{ aptRuntimeDependencies: ['ffmpeg'] }" },
        broken: { config: "{ targetImageName: " },
        uses: { config: '{ targetImageName: "uses", buildDependencies: ["../broken"] }' }
      })
      const problems = yield* problemsOf(root)
      expect(problems).toHaveLength(3)
      expect(problems[0]).toMatch(/^packages\/broken\/build.config.ts: could not be loaded: /)
      expect(problems[1]).toMatch(/^packages\/server\/build.config.ts: field "targetImageName": /)
      expect(problems[2]).toMatch(
        /^packages\/workers\/build.config.ts: field "targetImageName": missing/
      )
    })
  )

  it.scoped("rejects two images with one name and a package without sources", () =>
    Effect.gen(function* () {
      const root = yield* TestRepository.make({
        a: { config: '{ targetImageName: "same" }' },
        b: { config: '{ targetImageName: "same" }', withoutSources: true }
      })
      const problems = yield* problemsOf(root)
      expect(problems).toEqual([
        'packages/b/build.config.ts: field "targetImageName": "same" is already the image of packages/a; give every image its own name'
      ])
      yield* Effect.promise(() =>
        Fs.writeFile(
          Path.join(root, "packages/b/build.config.ts"),
          'export default { targetImageName: "b" }\n'
        )
      )
      const missingSources = yield* problemsOf(root)
      expect(missingSources).toEqual([
        "packages/b/build.config.ts: the package has no src; images copy package.json and src of every package they contain"
      ])
    })
  )

  it.scoped("keeps build packages out of the runtime stage", () =>
    Effect.gen(function* () {
      const root = yield* TestRepository.make({
        domain: { config: '{ library: true, aptBuildDependencies: ["python3"] }' },
        workers: {
          config:
            '{ targetImageName: "videoag-worker", buildDependencies: ["../domain"], aptRuntimeDependencies: ["ffmpeg"], aptBuildDependencies: ["build-essential", "python3"] }'
        }
      })
      const files = yield* generate(root)
      for (const path of ["docker/workers.Dockerfile", "docker/ci/workers.Dockerfile"]) {
        const dockerfile = fileOf(files, path)
        expect(stageOf(dockerfile, "base"), path).toMatch(
          /install -y --no-install-recommends tini ffmpeg$/m
        )
        expect(stageOf(dockerfile, "dependencies"), path).toMatch(
          /install -y --no-install-recommends python3 build-essential$/m
        )
        expect(stageOf(dockerfile, "test"), path).toContain("python3 build-essential")
        expect(stageOf(dockerfile, "runtime"), path).not.toContain("apt-get")
        expect(stageOf(dockerfile, "runtime"), path).not.toContain("build-essential")
      }
    })
  )

  it.scoped("replaces $MODULE_DIR in extras and templates", () =>
    Effect.gen(function* () {
      const root = yield* TestRepository.make({
        server: {
          config: `{
  targetImageName: "videoag-server",
  dockerfileExtra: 'CMD ["node", "$MODULE_DIR/src/main.ts", "\${MODULE_DIR}", "$MODULE_DIRECTORY"]',
  ciTestJobTemplate: "script:\\n    - npx vitest run $MODULE_DIR\\n"
}`
        }
      })
      const files = yield* generate(root)
      expect(fileOf(files, "docker/server.Dockerfile")).toContain(
        'CMD ["node", "packages/server/src/main.ts", "packages/server", "$MODULE_DIRECTORY"]'
      )
      expect(fileOf(files, ".gitlab-ci.yml")).toContain(
        "        - npx vitest run packages/server\n"
      )
    })
  )

  it.scoped("reports template problems with their line", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, string]> = [
        [
          "script:\\n  - npm test\\n",
          'line 2: indented by 2 spaces under "script" (indented by 0); nest by exactly 4 spaces'
        ],
        [
          "    script:\\n        - npm test\\n",
          "line 1: the template starts indented; write its top-level keys at column 0"
        ],
        [
          "script:\\n\\t- npm test\\n",
          "line 2: indented with a tab; indent with 4 spaces per level"
        ],
        [
          "variables:\\n    A: 1\\nstage: test\\nscript:\\n    - npm test\\n",
          'line 3: "stage" is set by the generator; remove it from the template'
        ],
        [
          "script:\\n    - npm test\\nimage: node\\n",
          'line 3: "image" is set by the generator; remove it from the template'
        ],
        [
          "script:\\n    - npm test\\n  bad: 1\\n",
          "line 3: invalid YAML: All mapping items must start at the same column"
        ],
        [
          "script:\\n    - npm test\\nscript: []\\n",
          "line 3: invalid YAML: Map keys must be unique"
        ],
        ["variables:\\n    A: 1\\n", "a job needs a script; add a script key"]
      ]
      for (const [template, expected] of cases) {
        const root = yield* TestRepository.make({
          server: { config: `{ targetImageName: "server", ciTestJobTemplate: "${template}" }` }
        })
        const problems = yield* problemsOf(root)
        expect(problems[0], template).toContain(
          `packages/server/build.config.ts: field "ciTestJobTemplate": ${expected}`
        )
      }
    })
  )

  it.scoped("accepts sequences of mappings and block scalars", () =>
    Effect.gen(function* () {
      const template = [
        "services:",
        "    -   name: postgres:15",
        "        alias: db",
        "    - name: nginx",
        "      alias: files",
        "script:",
        "    - |",
        "      cd /code",
        "        && npm test",
        ""
      ].join("\\n")
      const root = yield* TestRepository.make({
        server: { config: `{ targetImageName: "server", ciTestJobTemplate: "${template}" }` }
      })
      const files = yield* generate(root)
      expect(fileOf(files, ".gitlab-ci.yml")).toContain(
        "    services:\n        -   name: postgres:15\n            alias: db\n"
      )
    })
  )
})

describe("Generator.write and findStale", () => {
  it.scoped("writes, detects stale and orphaned files", () =>
    Effect.gen(function* () {
      const root = yield* TestRepository.make({
        server: { config: '{ targetImageName: "videoag-server" }' },
        workers: { config: '{ targetImageName: "videoag-worker" }' }
      })
      const check = Effect.flatMap(generate(root), (files) => Generator.findStale(root, files))
      const before = yield* check.pipe(Effect.provide(NodeContext.layer))
      expect(before.outdated).toHaveLength(5)

      const written = yield* Effect.flatMap(generate(root), (files) =>
        Generator.write(root, files)
      ).pipe(Effect.provide(NodeContext.layer))
      expect(written.outdated).toHaveLength(5)
      expect(yield* check.pipe(Effect.provide(NodeContext.layer))).toEqual({
        outdated: [],
        orphaned: []
      })

      yield* Effect.promise(() =>
        Fs.appendFile(Path.join(root, "docker/server.Dockerfile"), "RUN true\n")
      )
      yield* Effect.promise(() => Fs.rm(Path.join(root, "packages/workers/build.config.ts")))
      yield* Effect.promise(() =>
        Fs.writeFile(Path.join(root, "docker/custom.Dockerfile"), "FROM debian:bookworm\n")
      )
      const stale = yield* check.pipe(Effect.provide(NodeContext.layer))
      expect(stale.outdated).toEqual(["docker/server.Dockerfile", ".gitlab-ci.yml"])
      expect(stale.orphaned).toEqual(["docker/workers.Dockerfile", "docker/ci/workers.Dockerfile"])

      yield* Effect.flatMap(generate(root), (files) => Generator.write(root, files)).pipe(
        Effect.provide(NodeContext.layer)
      )
      const remaining = yield* Effect.promise(() => Fs.readdir(Path.join(root, "docker")))
      expect(remaining.sort()).toEqual(["ci", "custom.Dockerfile", "server.Dockerfile"])
    })
  )
})

describe("pipeline command", () => {
  const main = Path.resolve(import.meta.dirname, "../src/main.ts")
  const run = (...args: ReadonlyArray<string>) =>
    Effect.promise(
      () =>
        new Promise<{ code: number | null; output: string }>((resolve) => {
          const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", main, ...args], {
            stdio: ["ignore", "pipe", "pipe"]
          })
          let output = ""
          child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
          child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
          child.on("close", (code) => resolve({ code, output }))
        })
    )

  it.scoped("exits 1 with --check while files are stale and 2 on invalid configs", () =>
    Effect.gen(function* () {
      const root = yield* TestRepository.make({
        server: { config: '{ targetImageName: "videoag-server" }' }
      })
      const stale = yield* run("--check", "--root", root)
      expect(stale.code).toBe(1)
      expect(stale.output).toContain("error: docker/server.Dockerfile is stale")

      const written = yield* run("--root", root)
      expect(written.code).toBe(0)
      expect(written.output).toContain("Wrote .gitlab-ci.yml")

      const current = yield* run("--check", "--root", root)
      expect(current.code).toBe(0)
      expect(current.output).toContain("3 generated files are up to date")

      yield* Effect.promise(() =>
        TestRepository.writePackage(root, "server", { config: "{ targetImageName: 7 }" })
      )
      const invalid = yield* run("--check", "--root", root)
      expect(invalid.code).toBe(2)
      expect(invalid.output).toContain(
        'error: packages/server/build.config.ts: field "targetImageName": Expected string, actual 7'
      )

      const usage = yield* run("--frobnicate")
      expect(usage.code).toBe(2)
      expect(usage.output).toContain("Usage: npm run pipeline")
    })
  )
})
