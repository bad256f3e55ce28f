/** Temporary repositories with build configs, written for one test and removed after it. */
import * as Effect from "effect/Effect"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"

export interface PackageSpec {
  /** Source of the `build.config.ts` default export, such as `{ targetImageName: "a" }`. */
  readonly config: string
  /** Leaves out `src/`, for testing the check for it. */
  readonly withoutSources?: boolean
}

/** Writes `packages/<name>` for every entry, with package.json, src/index.ts and the config. */
export const make = (packages: Readonly<Record<string, PackageSpec>>) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const root = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-pipeline-test-"))
      await Fs.writeFile(
        Path.join(root, "package.json"),
        '{ "name": "fixture", "type": "module" }\n'
      )
      for (const [name, spec] of Object.entries(packages)) {
        await writePackage(root, name, spec)
      }
      return root
    }),
    (root) => Effect.promise(() => Fs.rm(root, { recursive: true, force: true }))
  )

export const writePackage = async (root: string, name: string, spec: PackageSpec) => {
  const directory = Path.join(root, "packages", name)
  await Fs.mkdir(directory, { recursive: true })
  await Fs.writeFile(
    Path.join(directory, "package.json"),
    `{ "name": "@fixture/${name}", "type": "module" }\n`
  )
  if (spec.withoutSources !== true) {
    await Fs.mkdir(Path.join(directory, "src"), { recursive: true })
    await Fs.writeFile(Path.join(directory, "src", "index.ts"), "export {}\n")
  }
  await Fs.writeFile(Path.join(directory, "build.config.ts"), `export default ${spec.config}\n`)
}

export const read = (root: string, path: string) =>
  Effect.promise(() => Fs.readFile(Path.join(root, path), "utf8"))
