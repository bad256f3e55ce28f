/**
 * A fake Kubernetes API server for tests, speaking the real protocol on a loopback port: JSON
 * bodies and Status errors, lists with resourceVersions, watch streams of `{type, object}`
 * lines (with 410 Gone for a compacted history), JSON patches of pod finalizers, and pod logs
 * (also followed). A small Job controller and kubelet turn each created Job into one pod whose
 * course a test script decides: success, a failing exit, OOMKilled, an image that never pulls,
 * eviction, preemption, an exceeded deadline, or a pod that stays pending or runs forever.
 * Faults can be injected: 429 with Retry-After, 5xx, dropped connections, silent watches.
 */
import * as Crypto from "node:crypto"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** The course of one pod, chosen by the test for each created Job. */
export type PodScript =
  | {
      readonly kind: "succeed"
      readonly output: unknown
      readonly runMillis?: number
      readonly progress?: ReadonlyArray<number>
      readonly logLines?: ReadonlyArray<string>
      /** Replaces the termination message, e.g. to point at a result file. */
      readonly terminationMessage?: string
    }
  | {
      readonly kind: "exit"
      readonly exitCode: number
      readonly error?: {
        readonly code: string
        readonly message: string
        readonly retryable: boolean
      }
      readonly logLines?: ReadonlyArray<string>
      readonly runMillis?: number
    }
  | { readonly kind: "oomKilled"; readonly runMillis?: number }
  | { readonly kind: "imagePullStuck" }
  | { readonly kind: "evicted"; readonly runMillis?: number }
  | { readonly kind: "preempted"; readonly runMillis?: number }
  | { readonly kind: "deadlineExceeded"; readonly runMillis?: number }
  | { readonly kind: "pending" }
  | { readonly kind: "runForever"; readonly progress?: ReadonlyArray<number> }

/** A fault for the next matching requests. */
export interface Fault {
  readonly status?: number
  readonly retryAfterSeconds?: number
  /** Close the connection without an answer; for creates, after the Job was stored. */
  readonly drop?: boolean
  readonly method?: string
  readonly path?: RegExp
  count: number
}

/** A Kubernetes object as JSON; the fake edits its fields freely, as the API server does. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary Kubernetes JSON
export type Json = Record<string, any>
type Kind = "jobs" | "pods"

interface Watcher {
  readonly kind: Kind
  readonly selector: ReadonlyArray<[string, string]>
  readonly response: Http.ServerResponse
}

interface HistoryEntry {
  readonly rv: number
  readonly kind: Kind
  readonly type: string
  readonly object: Json
}

const clone = <A>(value: A): A => structuredClone(value)

const statusBody = (code: number, reason: string, message: string) => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message,
  reason,
  code
})

const parseSelector = (selector: string | null): Array<[string, string]> =>
  (selector ?? "")
    .split(",")
    .filter((part) => part.includes("="))
    .map((part) => part.split("=", 2) as [string, string])

const matches = (object: Json, selector: ReadonlyArray<[string, string]>) =>
  selector.every(([key, value]) => object.metadata?.labels?.[key] === value)

/** The job input the worker of a Job would receive. */
export const inputOf = (job: Json): Json | undefined => {
  const env: Array<{ name: string; value: string }> =
    job.spec?.template?.spec?.containers?.[0]?.env ?? []
  const raw = env.find((entry) => entry.name === "VIDEOAG_JOB_INPUT")?.value
  return raw === undefined ? undefined : JSON.parse(raw)
}

export interface FakeKubernetesOptions {
  readonly namespace?: string
  readonly script: (job: Json) => PodScript
  /** Events kept for watches; older resourceVersions get 410 Gone. */
  readonly historyLimit?: number
  /** Milliseconds after a finished Job is deleted, in place of its ttlSecondsAfterFinished. */
  readonly ttlMillis?: number
}

export class FakeKubernetes {
  readonly namespace: string
  url = ""
  /** Successful creates per Job name. */
  readonly creates = new Map<string, number>()
  /** Every create request with its answer status. */
  readonly createRequests: Array<{ readonly name: string; readonly status: number }> = []
  readonly deletedJobs: Array<string> = []
  /** Exit code of the worker container, by Job name, for every pod that ended. */
  readonly exitCodes = new Map<string, number>()
  readonly jobs = new Map<string, Json>()
  readonly pods = new Map<string, Json>()
  readonly logs = new Map<string, Array<string>>()
  readonly faults: Array<Fault> = []
  /** Watches accepted while set get headers and then nothing at all. */
  silentWatches = false
  /** Answer every watch request with HTTP 410 while set. */
  refuseWatchesWithGone = false
  script: (job: Json) => PodScript
  requestCount = 0

  private server: Http.Server
  private resourceVersion = 1
  private history: Array<HistoryEntry> = []
  private compactedBefore = 0
  private watchers = new Set<Watcher>()
  private followers = new Map<string, Set<Http.ServerResponse>>()
  private timers = new Set<NodeJS.Timeout>()
  private readonly historyLimit: number
  private readonly ttlMillis: number | undefined
  private dropTimer: NodeJS.Timeout | undefined

  constructor(options: FakeKubernetesOptions) {
    this.namespace = options.namespace ?? "videoag"
    this.script = options.script
    this.historyLimit = options.historyLimit ?? 100_000
    this.ttlMillis = options.ttlMillis
    this.server = Http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent)
          this.send(response, 500, statusBody(500, "InternalError", String(error)))
      })
    })
  }

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async close() {
    if (this.dropTimer !== undefined) clearInterval(this.dropTimer)
    for (const timer of this.timers) clearTimeout(timer)
    for (const watcher of this.watchers) watcher.response.destroy()
    for (const set of this.followers.values()) for (const response of set) response.destroy()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  // ---- test controls

  /** Injects a fault for the next `count` matching requests. */
  failNext(fault: Fault) {
    this.faults.push(fault)
  }

  /** Closes every open watch connection at once. */
  dropWatches() {
    for (const watcher of this.watchers) watcher.response.destroy()
    this.watchers.clear()
  }

  /** Drops every watch connection every `millis` until `stopDroppingWatches`. */
  dropWatchesEvery(millis: number) {
    this.dropTimer = setInterval(() => this.dropWatches(), millis)
  }

  stopDroppingWatches() {
    if (this.dropTimer !== undefined) clearInterval(this.dropTimer)
    this.dropTimer = undefined
  }

  /** Forgets the event history: a watch from an older resourceVersion gets 410 Gone. */
  compact() {
    this.history = []
    this.compactedBefore = this.resourceVersion + 1
  }

  /** Sends an ERROR event with 410 Gone to every open watch and closes it. */
  expireWatches() {
    this.compact()
    for (const watcher of this.watchers) {
      watcher.response.end(
        `${JSON.stringify({ type: "ERROR", object: statusBody(410, "Expired", "too old resource version") })}\n`
      )
    }
    this.watchers.clear()
  }

  /** Deletes a pod as a user or controller outside the orchestrator would. */
  deletePod(name: string) {
    const pod = this.pods.get(name)
    if (pod !== undefined) this.markPodDeleted(pod)
  }

  /** Pods of a Job. */
  podsOf(jobName: string) {
    return [...this.pods.values()].filter((pod) => pod.metadata.labels?.["job-name"] === jobName)
  }

  // ---- protocol

  private send(
    response: Http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {}
  ) {
    response.writeHead(status, { "content-type": "application/json", ...headers })
    response.end(JSON.stringify(body))
  }

  private async readBody(request: Http.IncomingMessage) {
    const chunks: Array<Buffer> = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString("utf8")
  }

  private takeFault(method: string, path: string) {
    const fault = this.faults.find(
      (candidate) =>
        candidate.count > 0 &&
        (candidate.method === undefined || candidate.method === method) &&
        (candidate.path === undefined || candidate.path.test(path))
    )
    if (fault === undefined) return undefined
    fault.count -= 1
    if (fault.count <= 0) this.faults.splice(this.faults.indexOf(fault), 1)
    return fault
  }

  private async handle(request: Http.IncomingMessage, response: Http.ServerResponse) {
    this.requestCount += 1
    const url = new URL(request.url ?? "/", "http://fake")
    const method = request.method ?? "GET"
    const path = url.pathname
    const fault = this.takeFault(method, path)
    if (fault !== undefined && !(fault.drop && method === "POST")) {
      if (fault.drop) {
        request.socket.destroy()
        return
      }
      const status = fault.status ?? 500
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined
          ? { "retry-after": String(fault.retryAfterSeconds) }
          : {}
      const reason =
        status === 429 ? "TooManyRequests" : status === 503 ? "ServiceUnavailable" : "InternalError"
      return this.send(response, status, statusBody(status, reason, `injected ${status}`), headers)
    }

    const ns = this.namespace
    const jobsPath = `/apis/batch/v1/namespaces/${ns}/jobs`
    const podsPath = `/api/v1/namespaces/${ns}/pods`
    if (path === jobsPath || path === podsPath) {
      const kind: Kind = path === jobsPath ? "jobs" : "pods"
      if (method === "GET" && url.searchParams.get("watch") === "true")
        return this.watch(kind, url, response)
      if (method === "GET") return this.list(kind, url, response)
      if (method === "POST" && kind === "jobs") {
        const body = JSON.parse(await this.readBody(request)) as Json
        return this.createJob(body, response, fault?.drop === true)
      }
    }
    const jobMatch = new RegExp(`^${jobsPath}/([^/]+)$`).exec(path)
    if (jobMatch !== null) {
      const name = decodeURIComponent(jobMatch[1] ?? "")
      const job = this.jobs.get(name)
      if (method === "GET") {
        return job === undefined
          ? this.send(response, 404, statusBody(404, "NotFound", `jobs.batch "${name}" not found`))
          : this.send(response, 200, job)
      }
      if (method === "DELETE") {
        await this.readBody(request)
        if (job === undefined)
          return this.send(
            response,
            404,
            statusBody(404, "NotFound", `jobs.batch "${name}" not found`)
          )
        this.deleteJob(job)
        return this.send(response, 200, {
          kind: "Status",
          apiVersion: "v1",
          status: "Success",
          metadata: {}
        })
      }
    }
    const podMatch = new RegExp(`^${podsPath}/([^/]+)(/log)?$`).exec(path)
    if (podMatch !== null) {
      const name = decodeURIComponent(podMatch[1] ?? "")
      const pod = this.pods.get(name)
      if (pod === undefined)
        return this.send(response, 404, statusBody(404, "NotFound", `pods "${name}" not found`))
      if (podMatch[2] === "/log" && method === "GET") return this.log(pod, url, response)
      if (method === "GET") return this.send(response, 200, pod)
      if (method === "PATCH") {
        const contentType = request.headers["content-type"] ?? ""
        const body = await this.readBody(request)
        if (!contentType.startsWith("application/json-patch+json")) {
          return this.send(
            response,
            415,
            statusBody(415, "UnsupportedMediaType", `unsupported patch type ${contentType}`)
          )
        }
        return this.patchPod(pod, JSON.parse(body) as Array<Json>, response)
      }
    }
    this.send(
      response,
      404,
      statusBody(
        404,
        "NotFound",
        `the server could not find the requested resource ${method} ${path}`
      )
    )
  }

  private list(kind: Kind, url: URL, response: Http.ServerResponse) {
    const selector = parseSelector(url.searchParams.get("labelSelector"))
    const store = kind === "jobs" ? this.jobs : this.pods
    this.send(response, 200, {
      kind: kind === "jobs" ? "JobList" : "PodList",
      apiVersion: kind === "jobs" ? "batch/v1" : "v1",
      metadata: { resourceVersion: String(this.resourceVersion) },
      items: [...store.values()].filter((object) => matches(object, selector)).map(clone)
    })
  }

  private watch(kind: Kind, url: URL, response: Http.ServerResponse) {
    if (this.refuseWatchesWithGone) {
      return this.send(response, 410, statusBody(410, "Gone", "too old resource version"))
    }
    const from = Number(url.searchParams.get("resourceVersion") ?? "0")
    const selector = parseSelector(url.searchParams.get("labelSelector"))
    response.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" })
    response.flushHeaders()
    if (from < this.compactedBefore) {
      response.end(
        `${JSON.stringify({ type: "ERROR", object: statusBody(410, "Expired", `too old resource version: ${from} (${this.compactedBefore})`) })}\n`
      )
      return
    }
    if (this.silentWatches) {
      response.on("close", () => undefined)
      return
    }
    const watcher: Watcher = { kind, selector, response }
    for (const entry of this.history) {
      if (entry.rv > from && entry.kind === kind && matches(entry.object, selector)) {
        response.write(`${JSON.stringify({ type: entry.type, object: entry.object })}\n`)
      }
    }
    this.watchers.add(watcher)
    response.on("close", () => this.watchers.delete(watcher))
  }

  private emit(kind: Kind, type: string, object: Json) {
    this.resourceVersion += 1
    object.metadata.resourceVersion = String(this.resourceVersion)
    const snapshot = clone(object)
    this.history.push({ rv: this.resourceVersion, kind, type, object: snapshot })
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit)
      this.compactedBefore = (dropped.at(-1)?.rv ?? 0) + 1
    }
    for (const watcher of this.watchers) {
      if (watcher.kind === kind && matches(snapshot, watcher.selector)) {
        watcher.response.write(`${JSON.stringify({ type, object: snapshot })}\n`)
      }
    }
  }

  private later(millis: number, action: () => void) {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      action()
    }, millis)
    this.timers.add(timer)
  }

  // ---- Job controller and kubelet

  private createJob(body: Json, response: Http.ServerResponse, dropAnswer: boolean) {
    const name: string | undefined = body.metadata?.name
    if (name === undefined || body.spec?.template?.spec?.containers?.length !== 1) {
      return this.send(
        response,
        422,
        statusBody(
          422,
          "Invalid",
          "Job.batch is invalid: metadata.name and one container are required"
        )
      )
    }
    if (this.jobs.has(name)) {
      this.createRequests.push({ name, status: 409 })
      return this.send(response, 409, {
        ...statusBody(409, "AlreadyExists", `jobs.batch "${name}" already exists`),
        details: { name, group: "batch", kind: "jobs" }
      })
    }
    const job: Json = clone(body)
    job.metadata.namespace = this.namespace
    job.metadata.uid = Crypto.randomUUID()
    job.metadata.creationTimestamp = new Date().toISOString()
    job.status = {}
    this.jobs.set(name, job)
    this.creates.set(name, (this.creates.get(name) ?? 0) + 1)
    this.createRequests.push({ name, status: dropAnswer ? 0 : 201 })
    this.emit("jobs", "ADDED", job)
    this.later(1, () => this.startPod(job))
    if (dropAnswer) {
      response.socket?.destroy()
      return
    }
    this.send(response, 201, job)
  }

  private updateJob(job: Json, change: (job: Json) => void) {
    if (this.jobs.get(job.metadata.name) !== job) return
    change(job)
    this.emit("jobs", "MODIFIED", job)
  }

  private updatePod(pod: Json, change: (pod: Json) => void) {
    if (this.pods.get(pod.metadata.name) !== pod) return
    change(pod)
    this.emit("pods", "MODIFIED", pod)
    this.removeIfReleased(pod)
  }

  private startPod(job: Json) {
    if (this.jobs.get(job.metadata.name) !== job) return
    const template = job.spec.template
    const name = `${job.metadata.name}-${Crypto.randomBytes(3).toString("hex").slice(0, 5)}`
    const pod: Json = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: this.namespace,
        uid: Crypto.randomUUID(),
        creationTimestamp: new Date().toISOString(),
        labels: {
          ...template.metadata?.labels,
          "batch.kubernetes.io/job-name": job.metadata.name,
          "job-name": job.metadata.name,
          "controller-uid": job.metadata.uid
        },
        finalizers: [...(template.metadata?.finalizers ?? []), "batch.kubernetes.io/job-tracking"],
        ownerReferences: [
          {
            apiVersion: "batch/v1",
            kind: "Job",
            name: job.metadata.name,
            uid: job.metadata.uid,
            controller: true
          }
        ]
      },
      spec: clone(template.spec),
      status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }] }
    }
    this.pods.set(name, pod)
    this.logs.set(name, [])
    this.emit("pods", "ADDED", pod)
    this.updateJob(job, (value) => {
      value.status = { active: 1, startTime: new Date().toISOString() }
    })
    this.runScript(job, pod, this.script(job))
  }

  private runScript(job: Json, pod: Json, script: PodScript) {
    const run = (millis: number | undefined, then: () => void) => {
      this.setRunning(pod)
      this.later(millis ?? 5, then)
    }
    switch (script.kind) {
      case "succeed":
        return run(script.runMillis, () => {
          for (const percent of script.progress ?? [50]) {
            this.appendLog(pod, JSON.stringify({ event: "progress", percent, etaSeconds: null }))
          }
          for (const line of script.logLines ?? ["worker: done"]) this.appendLog(pod, line)
          const result = JSON.stringify({ event: "result", output: script.output })
          this.appendLog(pod, result)
          this.terminate(pod, 0, "Completed", script.terminationMessage ?? result)
        })
      case "exit":
        return run(script.runMillis, () => {
          for (const line of script.logLines ?? []) this.appendLog(pod, line)
          const message =
            script.error !== undefined
              ? JSON.stringify({ event: "error", error: script.error })
              : undefined
          if (message !== undefined) this.appendLog(pod, message)
          this.terminate(
            pod,
            script.exitCode,
            "Error",
            message ?? (script.logLines ?? []).join("\n")
          )
        })
      case "oomKilled":
        return run(script.runMillis, () => this.terminate(pod, 137, "OOMKilled", undefined))
      case "imagePullStuck":
        return this.updatePod(pod, (value) => {
          value.status.containerStatuses = [
            {
              name: "worker",
              ready: false,
              state: {
                waiting: {
                  reason: "ErrImagePull",
                  message: "pull access denied for the worker image"
                }
              }
            }
          ]
        })
      case "evicted":
        return run(script.runMillis, () =>
          this.updatePod(pod, (value) => {
            value.status.phase = "Failed"
            value.status.reason = "Evicted"
            value.status.message = "The node was low on resource: memory."
            value.status.conditions.push({
              type: "DisruptionTarget",
              status: "True",
              reason: "TerminationByKubelet"
            })
            value.status.containerStatuses = [
              { name: "worker", state: { terminated: { exitCode: 137, reason: "Error" } } }
            ]
            this.jobPodFailed(job, value)
          })
        )
      case "preempted":
        return run(script.runMillis, () => {
          this.updatePod(pod, (value) => {
            value.status.conditions.push({
              type: "DisruptionTarget",
              status: "True",
              reason: "PreemptionByScheduler",
              message: "preempted by a pod of higher priority"
            })
          })
          this.markPodDeleted(pod)
        })
      case "deadlineExceeded":
        return run(script.runMillis, () => {
          this.updateJob(job, (value) => {
            value.status.conditions = [
              { type: "FailureTarget", status: "True", reason: "DeadlineExceeded" },
              {
                type: "Failed",
                status: "True",
                reason: "DeadlineExceeded",
                message: "Job was active longer than specified deadline"
              }
            ]
          })
          this.markPodDeleted(pod)
        })
      case "pending":
        return this.updatePod(pod, (value) => {
          value.status.conditions = [
            { type: "PodScheduled", status: "False", reason: "Unschedulable" }
          ]
        })
      case "runForever":
        this.setRunning(pod)
        for (const percent of script.progress ?? []) {
          this.appendLog(pod, JSON.stringify({ event: "progress", percent, etaSeconds: null }))
        }
        return
    }
  }

  private setRunning(pod: Json) {
    this.updatePod(pod, (value) => {
      value.status.phase = "Running"
      value.status.containerStatuses = [
        { name: "worker", ready: true, state: { running: { startedAt: new Date().toISOString() } } }
      ]
    })
  }

  appendLog(pod: Json, line: string) {
    this.logs.get(pod.metadata.name)?.push(line)
    for (const follower of this.followers.get(pod.metadata.name) ?? []) follower.write(`${line}\n`)
  }

  private terminate(pod: Json, exitCode: number, reason: string, message: string | undefined) {
    const job = this.jobs.get(pod.metadata.labels["job-name"])
    this.exitCodes.set(pod.metadata.labels["job-name"], exitCode)
    this.updatePod(pod, (value) => {
      value.status.phase = exitCode === 0 ? "Succeeded" : "Failed"
      value.status.containerStatuses = [
        {
          name: "worker",
          ready: false,
          state: {
            terminated: {
              exitCode,
              reason,
              ...(message !== undefined && message !== "" ? { message: message.slice(-4096) } : {}),
              finishedAt: new Date().toISOString()
            }
          }
        }
      ]
      value.metadata.finalizers = value.metadata.finalizers.filter(
        (finalizer: string) => finalizer !== "batch.kubernetes.io/job-tracking"
      )
    })
    for (const follower of this.followers.get(pod.metadata.name) ?? []) follower.end()
    this.followers.delete(pod.metadata.name)
    if (job === undefined) return
    if (exitCode === 0) {
      this.updateJob(job, (value) => {
        value.status = {
          ...value.status,
          active: 0,
          succeeded: 1,
          completionTime: new Date().toISOString(),
          conditions: [
            { type: "SuccessCriteriaMet", status: "True" },
            { type: "Complete", status: "True" }
          ]
        }
      })
      this.expireLater(job)
    } else {
      this.jobPodFailed(job, pod)
    }
  }

  private jobPodFailed(job: Json, pod: Json) {
    pod.metadata.finalizers = pod.metadata.finalizers.filter(
      (finalizer: string) => finalizer !== "batch.kubernetes.io/job-tracking"
    )
    this.updateJob(job, (value) => {
      const failedAlready = (value.status.conditions ?? []).some(
        (condition: Json) => condition.type === "Failed"
      )
      value.status = {
        ...value.status,
        active: 0,
        failed: 1,
        conditions: failedAlready
          ? value.status.conditions
          : [
              { type: "FailureTarget", status: "True", reason: "BackoffLimitExceeded" },
              {
                type: "Failed",
                status: "True",
                reason: "BackoffLimitExceeded",
                message: "Job has reached the specified backoff limit"
              }
            ]
      }
    })
    this.expireLater(job)
  }

  private expireLater(job: Json) {
    if (this.ttlMillis === undefined) return
    this.later(this.ttlMillis, () => {
      if (this.jobs.get(job.metadata.name) === job) this.deleteJob(job)
    })
  }

  private deleteJob(job: Json) {
    this.jobs.delete(job.metadata.name)
    this.deletedJobs.push(job.metadata.name)
    this.emit("jobs", "DELETED", job)
    for (const pod of this.podsOf(job.metadata.name)) this.markPodDeleted(pod)
  }

  /** Sets the deletion timestamp; the kubelet stops a running container, finalizers hold the pod. */
  private markPodDeleted(pod: Json) {
    if (pod.metadata.deletionTimestamp !== undefined) return
    const running = pod.status.containerStatuses?.[0]?.state?.running !== undefined
    const job = this.jobs.get(pod.metadata.labels["job-name"])
    this.updatePod(pod, (value) => {
      value.metadata.deletionTimestamp = new Date().toISOString()
      value.metadata.deletionGracePeriodSeconds = 30
    })
    if (running) {
      this.later(2, () => this.terminate(pod, 143, "Error", undefined))
    } else if (job !== undefined && pod.status.phase === "Pending") {
      this.jobPodFailed(job, pod)
      this.updatePod(pod, () => undefined)
    }
  }

  private removeIfReleased(pod: Json) {
    if (pod.metadata.deletionTimestamp === undefined || (pod.metadata.finalizers ?? []).length > 0)
      return
    if (this.pods.get(pod.metadata.name) !== pod) return
    this.pods.delete(pod.metadata.name)
    this.emit("pods", "DELETED", pod)
  }

  private patchPod(pod: Json, operations: Array<Json>, response: Http.ServerResponse) {
    const finalizers: Array<string> = [...(pod.metadata.finalizers ?? [])]
    for (const operation of operations) {
      const match = /^\/metadata\/finalizers\/(\d+)$/.exec(operation.path)
      if (match === null) {
        return this.send(
          response,
          422,
          statusBody(
            422,
            "Invalid",
            `the fake supports only patches of /metadata/finalizers/<index>, got ${operation.path}`
          )
        )
      }
      const index = Number(match[1])
      if (operation.op === "test" && finalizers[index] !== operation.value) {
        return this.send(
          response,
          422,
          statusBody(422, "Invalid", `the test of ${operation.path} failed`)
        )
      }
      if (operation.op === "remove") finalizers.splice(index, 1)
    }
    this.updatePod(pod, (value) => {
      value.metadata.finalizers = finalizers
    })
    this.send(response, 200, pod)
  }

  private log(pod: Json, url: URL, response: Http.ServerResponse) {
    const state = pod.status.containerStatuses?.[0]?.state
    if (state?.running === undefined && state?.terminated === undefined) {
      return this.send(
        response,
        400,
        statusBody(
          400,
          "BadRequest",
          `container "worker" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`
        )
      )
    }
    const lines = this.logs.get(pod.metadata.name) ?? []
    const tail = url.searchParams.get("tailLines")
    const selected = tail === null ? lines : lines.slice(-Number(tail))
    let text = selected.map((line) => `${line}\n`).join("")
    const limit = url.searchParams.get("limitBytes")
    if (limit !== null) text = text.slice(0, Number(limit))
    response.writeHead(200, { "content-type": "text/plain" })
    if (url.searchParams.get("follow") === "true" && state?.terminated === undefined) {
      response.flushHeaders()
      response.write(text)
      const set = this.followers.get(pod.metadata.name) ?? new Set()
      set.add(response)
      this.followers.set(pod.metadata.name, set)
      response.on("close", () => set.delete(response))
      return
    }
    response.end(text)
  }
}

/** Starts a fake API server; close it with `close()`. */
export const startFakeKubernetes = (options: FakeKubernetesOptions) =>
  new FakeKubernetes(options).start()
