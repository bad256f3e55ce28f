/**
 * Reads the state of one attempt from its Kubernetes Job and pod: not there, waiting (with an
 * image pull or configuration problem), running, or ended with the worker's termination
 * message or a failure reason a moderator can read.
 */
import type { JobError, JobErrorCode } from "@videoag/domain"
import { WorkerExitCode } from "@videoag/domain"
import type { Condition, ContainerState, KubeJob, KubePod } from "./KubernetesObjects.js"
import { containerName } from "./JobManifest.js"

/** A problem that keeps a pod from starting. `final` problems never go away by waiting. */
export interface StartProblem {
  readonly code: "image_pull_failed" | "pod_config_error"
  readonly message: string
  readonly final: boolean
}

export type AttemptEnding =
  | {
      readonly _tag: "Exited"
      readonly exitCode: number
      readonly terminationMessage: string | null
    }
  | { readonly _tag: "Failed"; readonly error: JobError }

export type Observation =
  | { readonly _tag: "NotFound" }
  | {
      readonly _tag: "Waiting"
      readonly problem: StartProblem | null
      /** When the pod is being deleted while running: the time by which it must have ended. */
      readonly deletionDeadline: number | null
    }
  | { readonly _tag: "Running"; readonly podName: string }
  | { readonly _tag: "Ended"; readonly podName: string | null; readonly ending: AttemptEnding }

const imagePullReasons = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "RegistryUnavailable"
])
const configReasons = new Set(["CreateContainerConfigError", "CreateContainerError"])

const conditionOf = (conditions: ReadonlyArray<Condition> | undefined, type: string) =>
  conditions?.find((condition) => condition.type === type && condition.status === "True")

const workerState = (pod: KubePod): ContainerState | undefined =>
  pod.status?.containerStatuses?.find((status) => status.name === containerName)?.state

const failed = (code: JobErrorCode, message: string, retryable: boolean): AttemptEnding => ({
  _tag: "Failed",
  error: { code, message, retryable }
})

/** The failure a Job condition reports, for a Job that failed without a pod to read. */
const jobFailure = (name: string, condition: Condition): AttemptEnding =>
  condition.reason === "DeadlineExceeded"
    ? failed(
        "deadline_exceeded",
        `The Kubernetes Job ${name} ran longer than its activeDeadlineSeconds and was stopped`,
        false
      )
    : failed(
        "job_failed",
        `The Kubernetes Job ${name} failed (${condition.reason ?? "no reason"}): ${condition.message ?? "no message"}`,
        true
      )

/**
 * Why a pod ended without success when the cluster caused it; null when the worker itself
 * exited. `terminated` is the worker container's state.
 */
const podFailure = (
  name: string,
  pod: KubePod,
  terminated: NonNullable<ContainerState["terminated"]>
): AttemptEnding | null => {
  const disruption = conditionOf(pod.status?.conditions, "DisruptionTarget")
  if (terminated.reason === "OOMKilled") {
    return failed(
      "out_of_memory",
      `The worker of ${name} ran out of memory and was killed (OOMKilled); raise the memory limit of its job type`,
      false
    )
  }
  if (pod.status?.reason === "Evicted") {
    return failed(
      "evicted",
      `The pod ${pod.metadata.name} was evicted from its node: ${pod.status.message ?? "no message"}`,
      true
    )
  }
  if (disruption?.reason === "PreemptionByScheduler") {
    return failed(
      "preempted",
      `The pod ${pod.metadata.name} was preempted by a pod of higher priority`,
      true
    )
  }
  if (disruption !== undefined) {
    return failed(
      "evicted",
      `The pod ${pod.metadata.name} was disrupted (${disruption.reason ?? "no reason"}): ${disruption.message ?? "no message"}`,
      true
    )
  }
  if (pod.metadata.deletionTimestamp !== undefined) {
    return failed(
      "pod_deleted",
      `The pod ${pod.metadata.name} was deleted while the worker ran (exit code ${terminated.exitCode})`,
      true
    )
  }
  return null
}

/** The state of the attempt whose Job is `name`, from its Job and pods as last seen. */
export const observe = (
  name: string,
  job: KubeJob | undefined,
  pods: ReadonlyArray<KubePod>
): Observation => {
  const failedCondition = conditionOf(job?.status?.conditions, "Failed")
  const pod = [...pods].sort((a, b) =>
    (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "")
  )[0]

  if (pod === undefined) {
    if (job === undefined) return { _tag: "NotFound" }
    if (failedCondition !== undefined) {
      return { _tag: "Ended", podName: null, ending: jobFailure(name, failedCondition) }
    }
    if (conditionOf(job.status?.conditions, "Complete") !== undefined) {
      return {
        _tag: "Ended",
        podName: null,
        ending: failed(
          "result_lost",
          `The Kubernetes Job ${name} completed, but its pod is gone, so its result cannot be read`,
          true
        )
      }
    }
    if (job.metadata.deletionTimestamp !== undefined) {
      return {
        _tag: "Ended",
        podName: null,
        ending: failed(
          "job_deleted",
          `The Kubernetes Job ${name} was deleted before its pod started`,
          true
        )
      }
    }
    return { _tag: "Waiting", problem: null, deletionDeadline: null }
  }

  const podName = pod.metadata.name
  const state = workerState(pod)
  const phase = pod.status?.phase
  const terminated = state?.terminated

  if (terminated !== undefined || phase === "Succeeded" || phase === "Failed") {
    if (failedCondition?.reason === "DeadlineExceeded") {
      return { _tag: "Ended", podName, ending: jobFailure(name, failedCondition) }
    }
    if (terminated === undefined) {
      // Failed before the container ran: eviction or deletion of a pending pod.
      if (pod.status?.reason === "Evicted") {
        return {
          _tag: "Ended",
          podName,
          ending: failed(
            "evicted",
            `The pod ${podName} was evicted before the worker started: ${pod.status.message ?? "no message"}`,
            true
          )
        }
      }
      return {
        _tag: "Ended",
        podName,
        ending: failed(
          "pod_failed",
          `The pod ${podName} failed before the worker started (${pod.status?.reason ?? "no reason"}): ${pod.status?.message ?? "no message"}`,
          true
        )
      }
    }
    if (terminated.exitCode === WorkerExitCode.succeeded && phase !== "Failed") {
      return {
        _tag: "Ended",
        podName,
        ending: {
          _tag: "Exited",
          exitCode: terminated.exitCode,
          terminationMessage: terminated.message ?? null
        }
      }
    }
    return {
      _tag: "Ended",
      podName,
      ending: podFailure(name, pod, terminated) ?? {
        _tag: "Exited",
        exitCode: terminated.exitCode,
        terminationMessage: terminated.message ?? null
      }
    }
  }

  if (pod.metadata.deletionTimestamp !== undefined) {
    if (state?.running === undefined) {
      return {
        _tag: "Ended",
        podName,
        ending: failed(
          "pod_deleted",
          `The pod ${podName} was deleted while it was pending, before the worker started`,
          true
        )
      }
    }
    const grace =
      pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30
    return {
      _tag: "Waiting",
      problem: null,
      deletionDeadline: Date.parse(pod.metadata.deletionTimestamp) + (grace + 30) * 1000
    }
  }

  if (failedCondition !== undefined) {
    return { _tag: "Ended", podName, ending: jobFailure(name, failedCondition) }
  }

  const waiting = state?.waiting
  if (waiting?.reason !== undefined && imagePullReasons.has(waiting.reason)) {
    return {
      _tag: "Waiting",
      problem: {
        code: "image_pull_failed",
        message: `The worker image of pod ${podName} could not be pulled (${waiting.reason}): ${waiting.message ?? "no message"}`,
        final: waiting.reason === "InvalidImageName"
      },
      deletionDeadline: null
    }
  }
  if (waiting?.reason !== undefined && configReasons.has(waiting.reason)) {
    return {
      _tag: "Waiting",
      problem: {
        code: "pod_config_error",
        message: `The worker container of pod ${podName} could not be created (${waiting.reason}): ${waiting.message ?? "no message"}`,
        final: false
      },
      deletionDeadline: null
    }
  }
  if (state?.running !== undefined || phase === "Running") {
    return { _tag: "Running", podName }
  }
  return { _tag: "Waiting", problem: null, deletionDeadline: null }
}
