/**
 * Runs the production entry point of the orchestrator (`src/main.ts`) as a child process
 * against a test database and the fake Kubernetes API, so tests can kill it with SIGKILL.
 */
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import * as Url from "node:url"

const mainPath = Path.join(Path.dirname(Url.fileURLToPath(import.meta.url)), "../../src/main.ts")

export interface OrchestratorProcess {
  readonly name: string
  readonly child: ChildProcess.ChildProcess
  /** Resolves when the process logged that it became the leader. */
  readonly leading: Promise<void>
  readonly exited: Promise<number | null>
  readonly output: () => string
}

export const startOrchestrator = (options: {
  readonly name: string
  readonly databaseUrl: string
  readonly apiServer: string
  readonly environment?: Record<string, string>
}): OrchestratorProcess => {
  const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", mainPath], {
    env: {
      PATH: process.env["PATH"] ?? "",
      DATABASE_URL: options.databaseUrl,
      VIDEOAG_EXECUTOR: "kubernetes",
      VIDEOAG_KUBERNETES_API_SERVER: options.apiServer,
      VIDEOAG_WORKERS_IMAGE: "registry.example.org/videoag/production_worker:test",
      VIDEOAG_INSTANCE_NAME: options.name,
      VIDEOAG_LOG_FORMAT: "logfmt",
      VIDEOAG_ORCHESTRATOR_CONCURRENCY: "50",
      VIDEOAG_ORCHESTRATOR_POLL_INTERVAL: "200 millis",
      VIDEOAG_RETRY_BASE_DELAY: "20 millis",
      VIDEOAG_RETRY_MAX_DELAY: "100 millis",
      VIDEOAG_LEADER_RETRY_INTERVAL: "100 millis",
      VIDEOAG_RECONCILE_INTERVAL: "2 seconds",
      VIDEOAG_KUBERNETES_PROGRESS_POLL_INTERVAL: "1 second",
      VIDEOAG_ORCHESTRATOR_HEALTH_HOST: "127.0.0.1",
      VIDEOAG_ORCHESTRATOR_HEALTH_PORT: "0",
      ...options.environment
    },
    cwd: Path.join(Path.dirname(mainPath), "../../.."),
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  let resolveLeading: () => void = () => undefined
  const leading = new Promise<void>((resolve) => {
    resolveLeading = resolve
  })
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8")
    if (output.includes("Became the orchestrator leader")) resolveLeading()
  }
  child.stdout?.on("data", collect)
  child.stderr?.on("data", collect)
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { name: options.name, child, leading, exited, output: () => output }
}

export const kill = async (orchestrator: OrchestratorProcess) => {
  orchestrator.child.kill("SIGKILL")
  await orchestrator.exited
}

export const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))
