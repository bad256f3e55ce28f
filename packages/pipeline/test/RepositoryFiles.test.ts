import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as YAML from "yaml"
import * as Generator from "../src/Generator.js"
import * as DockerfileRules from "./DockerfileRules.js"

const repositoryRoot = Path.resolve(import.meta.dirname, "../../..")

const generatedDockerfiles = () =>
  ["docker", "docker/ci"].flatMap((folder) =>
    Fs.readdirSync(Path.join(repositoryRoot, folder))
      .filter((name) => name.endsWith(".Dockerfile"))
      .map((name) => `${folder}/${name}`)
  )

describe("the repository's generated files", () => {
  it.effect("are up to date with the build configs", () =>
    Effect.gen(function* () {
      const files = yield* Generator.generate(repositoryRoot)
      const stale = yield* Generator.findStale(repositoryRoot, files)
      expect(stale, "run `npm run pipeline` and commit the result").toEqual({
        outdated: [],
        orphaned: []
      })
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it("include an image for the server, the orchestrator and the workers", () => {
    expect(generatedDockerfiles().sort()).toEqual([
      "docker/ci/orchestrator.Dockerfile",
      "docker/ci/server.Dockerfile",
      "docker/ci/workers.Dockerfile",
      "docker/orchestrator.Dockerfile",
      "docker/server.Dockerfile",
      "docker/workers.Dockerfile"
    ])
  })

  it("pass the structural Dockerfile check", () => {
    for (const path of generatedDockerfiles()) {
      const content = Fs.readFileSync(Path.join(repositoryRoot, path), "utf8")
      const problems = DockerfileRules.check(content, {
        repositoryRoot,
        baseImage: "node:24-bookworm-slim",
        variant: path.startsWith("docker/ci/") ? "ci" : "local"
      })
      expect(problems, path).toEqual([])
    }
  })

  it("put ffmpeg into the worker image only", () => {
    for (const path of generatedDockerfiles()) {
      const stages = DockerfileRules.stagesOf(
        Fs.readFileSync(Path.join(repositoryRoot, path), "utf8")
      )
      expect(
        stages.map((stage) => stage.name),
        path
      ).toEqual(["base", "dependencies", "test", "runtime"])
      const runtimePackages = DockerfileRules.aptPackagesOf(stages, "runtime")
      expect(runtimePackages.has("ffmpeg"), path).toBe(path.endsWith("workers.Dockerfile"))
    }
  })

  it("declare a .gitlab-ci.yml whose jobs have stage, needs and image", () => {
    const document = YAML.parseDocument(
      Fs.readFileSync(Path.join(repositoryRoot, ".gitlab-ci.yml"), "utf8")
    )
    expect(document.errors).toEqual([])
    const ci = document.toJS() as Record<string, unknown>
    const stages = ci["stages"] as ReadonlyArray<string>
    const reserved = new Set(["stages", "variables", "workflow", "default", "include"])
    const jobs = Object.entries(ci).filter(([name]) => !reserved.has(name) && !name.startsWith("."))
    expect(jobs.length).toBeGreaterThanOrEqual(8)
    const names = new Set(jobs.map(([name]) => name))
    for (const [name, value] of jobs) {
      const job = value as Record<string, unknown>
      expect(Object.keys(job), name).toEqual(
        expect.arrayContaining(["stage", "needs", "image", "script"])
      )
      expect(stages, name).toContain(job["stage"])
      expect(Array.isArray(job["needs"]), name).toBe(true)
      for (const need of job["needs"] as ReadonlyArray<string>) {
        expect(names.has(need), `${name} needs ${need}`).toBe(true)
        const needed = ci[need] as Record<string, unknown>
        expect(
          stages.indexOf(needed["stage"] as string),
          `${name} needs ${need}`
        ).toBeLessThanOrEqual(stages.indexOf(job["stage"] as string))
      }
      expect(job["image"], name).toBeTruthy()
    }
  })
})

describe("DockerfileRules.check", () => {
  it("reports each broken rule with its line", () => {
    const dockerfile = [
      "FROM node:latest AS base",
      "WORKDIR code",
      "RUN --mount=type=cache,target=/root/.npm apt-get update && apt-get install ffmpeg",
      "RUN cd /code && npm install | tee log",
      "ADD missing-folder /code/missing",
      "COPY --from=nowhere /code /code",
      "CMD node main.js",
      ""
    ].join("\n")
    const problems = DockerfileRules.check(dockerfile, {
      repositoryRoot,
      baseImage: "node:24-bookworm-slim",
      variant: "ci"
    })
    expect(problems).toEqual([
      "DL3006/DL3007: node:latest has no pinned tag",
      "line 2: DL3000: WORKDIR must be absolute",
      "line 3: DL3014: apt-get install needs -y",
      "line 3: DL3015: apt-get install needs --no-install-recommends",
      "line 3: kaniko has no RUN --mount; the CI variant must not use it",
      "line 4: DL3003: use WORKDIR instead of cd",
      "line 4: DL4006: set SHELL with -o pipefail before piping",
      "line 4: install npm packages with npm ci from the lockfile",
      "line 5: DL3020: use COPY for files and folders",
      "line 6: --from=nowhere names no earlier stage",
      "line 7: DL3025: write CMD in JSON (exec) form",
      "DL3002: the final stage runs as root; add USER with a non-root user",
      'the final stage must run under tini: ENTRYPOINT ["/usr/bin/tini", "--"]',
      "tini is not installed in the final stage"
    ])
  })
})
