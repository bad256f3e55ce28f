/**
 * The Kubernetes Job of one attempt. Its name is derived from the job id and attempt, so a
 * repeated create is answered 409 and adopted, never duplicated. Labels link Job and pod to the
 * row; a finalizer on the pod keeps it, with its termination message and log, until the
 * orchestrator has stored the attempt's outcome.
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import {
  defaultJobResources,
  findJobType,
  WorkerEnvironment,
  type JobResources
} from "@videoag/domain"
import type { JobRecord } from "@videoag/domain/sql"
import type { KubernetesSettings } from "./KubernetesConfig.js"

/** Prefix of the labels, annotations and the finalizer the orchestrator owns. */
export const labelPrefix = "jobs.videoag"

export const Labels = {
  managedBy: "app.kubernetes.io/managed-by",
  name: "app.kubernetes.io/name",
  jobId: `${labelPrefix}/job-id`,
  attempt: `${labelPrefix}/attempt`,
  jobType: `${labelPrefix}/job-type`
} as const

export const managedByValue = "videoag-orchestrator"

/** Selects every Job and pod the orchestrator created. */
export const managedSelector = `${Labels.managedBy}=${managedByValue}`

/** Keeps a finished pod until the orchestrator has stored its outcome. */
export const outcomeFinalizer = `${labelPrefix}/outcome-pending`

export const createdByAnnotation = `${labelPrefix}/created-by`

export const containerName = "worker"

export const terminationMessagePath = "/dev/termination-log"

/** `videoag-job-<id>-<attempt>`: the same name for every create of one attempt. */
export const jobName = (id: number, attempt: number) => `videoag-job-${id}-${attempt}`

/** The job id and attempt in an object's labels, if both are there and valid. */
export const attemptOfLabels = (
  labels: Readonly<Record<string, string>> | undefined
): Option.Option<{ readonly id: number; readonly attempt: number }> => {
  const id = Number(labels?.[Labels.jobId])
  const attempt = Number(labels?.[Labels.attempt])
  return Number.isSafeInteger(id) && id > 0 && Number.isSafeInteger(attempt) && attempt > 0
    ? Option.some({ id, attempt })
    : Option.none()
}

/** The type's resources with the configured overrides on top. */
export const resourcesOf = (settings: KubernetesSettings, typeName: string): JobResources => {
  const base = Option.getOrElse(
    Option.flatMapNullable(findJobType(typeName), (type) => type.resources),
    () => defaultJobResources
  )
  const override = settings.resources.get(typeName)
  return override === undefined
    ? base
    : {
        requests: { ...base.requests, ...override.requests },
        limits: { ...base.limits, ...override.limits }
      }
}

const quantities = (values: JobResources["requests"]) =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined))

/** The Job manifest of the job's current attempt. */
export const buildJob = (job: JobRecord, settings: KubernetesSettings) => {
  const name = jobName(job.id, job.attempt)
  const timeout = Option.match(findJobType(job.type), {
    onNone: () => Duration.hours(1),
    onSome: (type) => type.timeout
  })
  const labels = {
    [Labels.managedBy]: managedByValue,
    [Labels.name]: "videoag-worker",
    [Labels.jobId]: String(job.id),
    [Labels.attempt]: String(job.attempt),
    [Labels.jobType]: job.type
  }
  const resources = resourcesOf(settings, job.type)
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: settings.namespace,
      labels,
      annotations: { [createdByAnnotation]: settings.instanceName }
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: Math.max(1, Math.ceil(Duration.toSeconds(timeout))),
      ttlSecondsAfterFinished: Math.max(
        0,
        Math.round(Duration.toSeconds(settings.ttlAfterFinished))
      ),
      template: {
        metadata: { labels, finalizers: [outcomeFinalizer] },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: settings.workerUserId,
            runAsGroup: settings.workerUserId,
            seccompProfile: { type: "RuntimeDefault" }
          },
          containers: [
            {
              name: containerName,
              image: settings.workerImage,
              imagePullPolicy: settings.imagePullPolicy,
              command: [...settings.initCommand, ...settings.workerCommand],
              args: ["run", job.type],
              env: [
                { name: WorkerEnvironment.jobId, value: String(job.id) },
                { name: WorkerEnvironment.attempt, value: String(job.attempt) },
                { name: WorkerEnvironment.input, value: JSON.stringify(job.input) },
                { name: WorkerEnvironment.mediaRoot, value: settings.mediaMountPath },
                { name: WorkerEnvironment.terminationMessagePath, value: terminationMessagePath }
              ],
              resources: {
                requests: quantities(resources.requests),
                limits: quantities(resources.limits)
              },
              volumeMounts: [{ name: "media", mountPath: settings.mediaMountPath }],
              terminationMessagePath,
              terminationMessagePolicy: "FallbackToLogsOnError",
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] }
              }
            }
          ],
          volumes: [
            { name: "media", persistentVolumeClaim: { claimName: settings.mediaClaimName } }
          ]
        }
      }
    }
  }
}

export type JobManifest = ReturnType<typeof buildJob>
