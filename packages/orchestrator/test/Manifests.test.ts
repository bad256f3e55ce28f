import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import * as Url from "node:url"
import { Job } from "kubernetes-models/batch/v1/Job"
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role"
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding"
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount"
import * as Yaml from "yaml"
import type { Json } from "./support/FakeKubernetes.js"
import { JobId, MediaTranscode } from "@videoag/domain"
import type { JobRecord } from "@videoag/domain/sql"
import { buildJob } from "../src/kubernetes/JobManifest.js"
import { kubernetesSettings } from "./support/Harness.js"

const rbacPath = Path.join(
  Path.dirname(Url.fileURLToPath(import.meta.url)),
  "../../../docker/kubernetes/orchestrator-rbac.yaml"
)

const readDocuments = Effect.promise(async () =>
  Yaml.parseAllDocuments(await Fs.readFile(rbacPath, "utf8")).map(
    (document) => document.toJSON() as Json
  )
)

const models: Record<string, (value: Json) => { validate: () => void }> = {
  ServiceAccount: (value) => new ServiceAccount(value),
  Role: (value) => new Role(value),
  RoleBinding: (value) => new RoleBinding(value as ConstructorParameters<typeof RoleBinding>[0])
}

describe("Kubernetes manifests", () => {
  it.effect("orchestrator RBAC validates against the Kubernetes schemas", () =>
    Effect.gen(function* () {
      const documents = yield* readDocuments
      expect(documents.map((document) => document["kind"])).toEqual([
        "ServiceAccount",
        "Role",
        "RoleBinding"
      ])
      for (const document of documents) {
        const model = models[document["kind"]]
        expect(model).toBeDefined()
        expect(() => model!(document).validate()).not.toThrow()
      }
    })
  )

  it.effect("orchestrator Role grants exactly what the executor calls", () =>
    Effect.gen(function* () {
      const role = (yield* readDocuments)[1]!
      const grants = Object.fromEntries(
        (role["rules"] as ReadonlyArray<Json>).flatMap((rule) =>
          rule.resources.map((resource: string) => [
            `${rule.apiGroups[0]}/${resource}`,
            [...rule.verbs].sort()
          ])
        )
      )
      expect(grants).toEqual({
        "batch/jobs": ["create", "delete", "get", "list", "watch"],
        "/pods": ["get", "list", "patch", "watch"],
        "/pods/log": ["get"]
      })
      const binding = (yield* readDocuments)[2]!
      expect(binding["roleRef"].name).toBe(role["metadata"].name)
      expect(binding["subjects"][0].name).toBe((yield* readDocuments)[0]!["metadata"].name)
    })
  )

  it("a worker Job validates against the Kubernetes schemas", () => {
    const record = {
      id: JobId.make(42),
      attempt: 2,
      type: MediaTranscode.name,
      input: { sourcePath: "incoming/talk.mp4" }
    } as unknown as JobRecord
    const manifest = buildJob(record, kubernetesSettings("http://127.0.0.1:1"))
    expect(() =>
      new Job(manifest as unknown as ConstructorParameters<typeof Job>[0]).validate()
    ).not.toThrow()
    expect(manifest.metadata.name).toBe("videoag-job-42-2")
    expect(manifest.spec.template.spec.containers[0]!.resources).toEqual({
      requests: { cpu: "2", memory: "1Gi" },
      limits: { memory: "4Gi" }
    })
  })
})
