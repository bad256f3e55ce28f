import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as YAML from "yaml"
import * as DockerfileRules from "./DockerfileRules.js"

const repositoryRoot = Path.resolve(import.meta.dirname, "../../..")
const composeFile = Path.join(repositoryRoot, "docker", "compose.yaml")

interface Service {
  readonly image?: string
  readonly build?: { context: string; dockerfile: string; target?: string }
  readonly ports?: ReadonlyArray<string>
  readonly volumes?: ReadonlyArray<string>
  readonly depends_on?: Record<string, { condition: string }>
  readonly healthcheck?: { test: ReadonlyArray<string> }
}

const load = () => {
  const document = YAML.parseDocument(Fs.readFileSync(composeFile, "utf8"))
  expect(document.errors).toEqual([])
  return document.toJS() as { services: Record<string, Service>; volumes: Record<string, unknown> }
}

describe("docker/compose.yaml", () => {
  it("runs the database, API server, orchestrator and file provider", () => {
    expect(Object.keys(load().services).sort()).toEqual([
      "database",
      "file-provider",
      "orchestrator",
      "server"
    ])
  })

  it("builds from generated Dockerfiles and stages that exist", () => {
    const { services } = load()
    for (const name of ["server", "orchestrator"]) {
      const build = services[name]?.build
      expect(build?.context, name).toBe("..")
      const dockerfile = Path.join(
        Path.dirname(composeFile),
        build?.context ?? "",
        build?.dockerfile ?? ""
      )
      expect(Fs.existsSync(dockerfile), `${name}: ${build?.dockerfile}`).toBe(true)
      const stages = DockerfileRules.stagesOf(Fs.readFileSync(dockerfile, "utf8")).map(
        (stage) => stage.name
      )
      expect(stages, name).toContain(build?.target ?? "runtime")
    }
  })

  it("waits for the database and checks readiness over HTTP", () => {
    const { services } = load()
    for (const name of ["server", "orchestrator"]) {
      expect(services[name]?.depends_on?.["database"]?.condition, name).toBe("service_healthy")
      expect(services[name]?.healthcheck?.test.join(" "), name).toContain("/health/ready")
    }
    expect(services["server"]?.ports).toEqual(["127.0.0.1:5000:5000"])
  })

  it("mounts the nginx configuration and the media volume read-only", () => {
    const { services, volumes } = load()
    expect(services["file-provider"]?.volumes).toEqual([
      "./nginx/file-provider.conf:/etc/nginx/nginx.conf:ro",
      "media:/srv/media:ro"
    ])
    expect(services["orchestrator"]?.volumes).toEqual(["media:/srv/media"])
    expect(services["server"]?.volumes).toBeUndefined()
    expect(Object.keys(volumes).sort()).toEqual(["database", "media"])
  })
})
