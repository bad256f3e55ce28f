import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as YAML from "yaml"
import * as BuildGraph from "../src/BuildGraph.js"

const repositoryRoot = Path.resolve(import.meta.dirname, "../../..")
const dockerFolder = Path.join(repositoryRoot, "docker")
const kubernetesFolder = Path.join(dockerFolder, "kubernetes")

/** Manifests another change adds; the kustomization may list them before they exist here. */
const manifestsAddedSeparately = ["kubernetes/orchestrator-rbac.yaml"]

type Manifest = Record<string, unknown> & {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> }
}

interface ManifestDocument {
  readonly file: string
  readonly manifest: Manifest
}

/** Every YAML file under docker/kubernetes, relative to docker/, in any folder depth. */
const manifestFiles = () =>
  Fs.readdirSync(kubernetesFolder, { recursive: true, encoding: "utf8" })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => `kubernetes/${name.split(Path.sep).join("/")}`)
    .sort()

const loadManifests = (): ReadonlyArray<ManifestDocument> =>
  manifestFiles().flatMap((file) =>
    YAML.parseAllDocuments(Fs.readFileSync(Path.join(dockerFolder, file), "utf8"))
      .map((document) => {
        expect(document.errors, file).toEqual([])
        return document.toJS() as Manifest | null
      })
      .filter((manifest): manifest is Manifest => manifest !== null)
      .map((manifest) => ({ file, manifest }))
  )

interface Validatable {
  validate(): void
}

/** Finds the kubernetes-models class of a manifest's apiVersion and kind, if the package has one. */
const modelOf = async (manifest: Manifest) => {
  const specifier = `kubernetes-models/${manifest.apiVersion}`
  const module = (await import(/* @vite-ignore */ specifier).catch(() => ({}))) as Record<
    string,
    unknown
  >
  return module[manifest.kind] as (new (data: unknown) => Validatable) | undefined
}

type PodSpec = {
  serviceAccountName?: string
  containers: Array<{
    name: string
    image: string
    ports?: Array<{ name?: string; containerPort: number }>
    envFrom?: Array<{ configMapRef?: { name: string } }>
    env?: Array<{ valueFrom?: { secretKeyRef?: { name: string } } }>
    livenessProbe?: { httpGet?: { path: string; port: string | number } }
    readinessProbe?: { httpGet?: { path: string; port: string | number } }
  }>
  volumes?: Array<{
    configMap?: { name: string }
    persistentVolumeClaim?: { claimName: string }
  }>
}

const deployments = (documents: ReadonlyArray<ManifestDocument>) =>
  documents
    .map((document) => document.manifest)
    .filter((manifest) => manifest.kind === "Deployment")
    .map((manifest) => {
      const spec = manifest["spec"] as {
        template: { metadata: { labels: Record<string, string> }; spec: PodSpec }
      }
      return {
        name: manifest.metadata.name,
        labels: spec.template.metadata.labels,
        pod: spec.template.spec
      }
    })

const kustomization = () =>
  YAML.parse(Fs.readFileSync(Path.join(dockerFolder, "kustomization.yaml"), "utf8")) as {
    resources: Array<string>
    configMapGenerator?: Array<{ name: string; files?: Array<string> }>
  }

describe("Kubernetes manifests", () => {
  it("exist for every part of the deployment", () => {
    const kinds = loadManifests().map(
      ({ manifest }) => `${manifest.kind}/${manifest.metadata.name}`
    )
    expect(kinds).toEqual(
      expect.arrayContaining([
        "Namespace/videoag",
        "ConfigMap/videoag-config",
        "PersistentVolumeClaim/videoag-media",
        "Deployment/videoag-server",
        "Service/videoag-server",
        "Deployment/videoag-orchestrator",
        "Service/videoag-orchestrator",
        "Deployment/videoag-file-provider",
        "Service/videoag-file-provider"
      ])
    )
  })

  it("validate against the Kubernetes schemas", async () => {
    const documents = loadManifests()
    expect(documents.length).toBeGreaterThan(0)
    for (const { file, manifest } of documents) {
      const label = `${file}: ${manifest.kind}/${manifest.metadata?.name}`
      const Model = await modelOf(manifest)
      expect(Model, `${label}: no schema for ${manifest.apiVersion} ${manifest.kind}`).toBeDefined()
      if (Model === undefined) continue
      expect(() => new Model(manifest).validate(), label).not.toThrow()
      expect(manifest.metadata.name, label).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    }
  })

  it("reject what the schemas forbid", async () => {
    const manifest = loadManifests().find(({ manifest }) => manifest.kind === "Deployment")
    expect(manifest).toBeDefined()
    const broken = structuredClone(manifest!.manifest) as Manifest & { spec: { replicas: unknown } }
    broken.spec.replicas = "two"
    const Model = await modelOf(broken)
    expect(() => new Model!(broken).validate()).toThrow(/replicas must be integer/)
  })

  it("are all listed in the kustomization", () => {
    const listed = kustomization().resources
    for (const file of listed) {
      const exists = Fs.existsSync(Path.join(dockerFolder, file))
      expect(exists || manifestsAddedSeparately.includes(file), file).toBe(true)
    }
    expect(listed).toEqual(
      expect.arrayContaining([...manifestFiles(), ...manifestsAddedSeparately])
    )
  })

  it("probe the health endpoints of the API server and the orchestrator", () => {
    const expectedPorts: Record<string, number> = {
      "videoag-server": 5000,
      "videoag-orchestrator": 5002
    }
    for (const deployment of deployments(loadManifests())) {
      if (!(deployment.name in expectedPorts)) continue
      const container = deployment.pod.containers[0]!
      const port = container.ports?.find(
        (candidate) => candidate.name === container.livenessProbe?.httpGet?.port
      )
      expect(container.livenessProbe?.httpGet?.path, deployment.name).toBe("/health/live")
      expect(container.readinessProbe?.httpGet?.path, deployment.name).toBe("/health/ready")
      expect(container.readinessProbe?.httpGet?.port, deployment.name).toBe(
        container.livenessProbe?.httpGet?.port
      )
      expect(port?.containerPort, deployment.name).toBe(expectedPorts[deployment.name])
    }
  })

  it.effect("refer to images, config, secrets, volumes and pods that exist", () =>
    Effect.gen(function* () {
      const graph = yield* BuildGraph.load(repositoryRoot)
      const imageNames = graph.images.map((image) => image.config.targetImageName)
      const documents = loadManifests()
      const named = (kind: string) =>
        documents
          .filter(({ manifest }) => manifest.kind === kind)
          .map(({ manifest }) => manifest.metadata.name)
      const configMaps = [
        ...named("ConfigMap"),
        ...(kustomization().configMapGenerator ?? []).map((g) => g.name)
      ]
      const claims = named("PersistentVolumeClaim")
      const pods = deployments(documents)

      for (const deployment of pods) {
        for (const container of deployment.pod.containers) {
          const label = `${deployment.name}/${container.name}`
          expect(
            imageNames.includes(container.image) || /^nginx:\d[\w.-]*$/.test(container.image),
            `${label}: image ${container.image} is neither built by the pipeline nor a pinned nginx`
          ).toBe(true)
          for (const source of container.envFrom ?? []) {
            if (source.configMapRef) expect(configMaps, label).toContain(source.configMapRef.name)
          }
          for (const variable of container.env ?? []) {
            const secret = variable.valueFrom?.secretKeyRef?.name
            if (secret !== undefined) expect(secret, label).toBe("videoag-secrets")
          }
        }
        for (const volume of deployment.pod.volumes ?? []) {
          if (volume.configMap) expect(configMaps, deployment.name).toContain(volume.configMap.name)
          if (volume.persistentVolumeClaim) {
            expect(claims, deployment.name).toContain(volume.persistentVolumeClaim.claimName)
          }
        }
      }
      const serviceAccount = pods.find((pod) => pod.name === "videoag-orchestrator")?.pod
        .serviceAccountName
      expect(serviceAccount).toBe("videoag-orchestrator")
      // The ServiceAccount comes with the orchestrator's RBAC manifest; once that is here, the
      // Deployment must name it.
      if (named("ServiceAccount").length > 0) {
        expect(named("ServiceAccount")).toContain(serviceAccount)
      }
      for (const deployment of pods.filter((pod) => pod.name !== "videoag-file-provider")) {
        expect(
          deployment.pod.volumes?.some((volume) => volume.persistentVolumeClaim),
          deployment.name
        ).toBe(false)
      }

      for (const { manifest } of documents.filter(({ manifest }) => manifest.kind === "Service")) {
        const spec = manifest["spec"] as {
          selector: Record<string, string>
          ports: Array<{ targetPort: string | number }>
        }
        const target = pods.find((pod) =>
          Object.entries(spec.selector).every(([key, value]) => pod.labels[key] === value)
        )
        expect(target, `Service ${manifest.metadata.name} selects no Deployment`).toBeDefined()
        const portNames = target!.pod.containers
          .flatMap((container) => container.ports ?? [])
          .map((port) => port.name)
        for (const port of spec.ports)
          expect(portNames, manifest.metadata.name).toContain(port.targetPort)
      }
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
