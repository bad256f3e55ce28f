/**
 * Finds the packages of the build, loads their `build.config.ts` files and follows their build
 * dependencies transitively. Paths are POSIX paths relative to the repository root.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import * as BuildConfig from "./BuildConfig.js"
import { BuildConfigError, buildConfigFileName, type ResolvedBuildConfig } from "./BuildConfig.js"

/** A package of the build with its decoded config. */
export interface BuildPackage {
  /** Folder of the package, relative to the repository root, such as `packages/server`. */
  readonly directory: string
  readonly configFile: string
  readonly config: ResolvedBuildConfig
  /** Folders of the direct build dependencies, relative to the repository root. */
  readonly dependencies: ReadonlyArray<string>
}

export interface BuildGraph {
  readonly packages: ReadonlyMap<string, BuildPackage>
  /** The packages that have an image, ordered by folder. */
  readonly images: ReadonlyArray<BuildPackage>
}

/** Folder under the repository root whose subfolders are searched for build configs. */
export const packagesFolder = "packages"

const toPosix = (path: string) => path.split(Path.sep).join("/")

const importDefault = (file: string) =>
  Effect.tryPromise({
    // A query string makes every load read the file again, so `--check` after an edit and tests
    // that rewrite a fixture see the current contents.
    try: async () =>
      ((await import(`${pathToFileURL(file).href}?load=${Date.now()}`)) as { default?: unknown })
        .default,
    catch: (cause) => cause
  })

/** Loads the build configs of `packages/*` under `root` and everything they depend on. */
export const load = (root: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const absoluteRoot = Path.resolve(root)
    const packages = new Map<string, BuildPackage>()
    const problems: Array<BuildConfigError> = []
    // Also holds the packages whose config failed, so that each failure is reported once.
    const visited = new Set<string>()

    const loadPackage = (directory: string): Effect.Effect<void> =>
      Effect.gen(function* () {
        if (visited.has(directory)) return
        visited.add(directory)
        const configFile = `${directory}/${buildConfigFileName}`
        const exported = yield* importDefault(Path.join(absoluteRoot, configFile)).pipe(
          Effect.mapError(
            (cause) =>
              new BuildConfigError({
                file: configFile,
                field: null,
                reason: `could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`
              })
          ),
          Effect.either
        )
        if (exported._tag === "Left") {
          problems.push(exported.left)
          return
        }
        const decoded = yield* Effect.either(BuildConfig.decode(configFile, exported.right))
        if (decoded._tag === "Left") {
          problems.push(...decoded.left)
          return
        }
        const config = decoded.right
        const dependencies: Array<string> = []
        for (const [index, dependency] of config.buildDependencies.entries()) {
          const resolved = toPosix(
            Path.relative(absoluteRoot, Path.resolve(absoluteRoot, directory, dependency))
          )
          const field = `buildDependencies[${index}]`
          if (resolved === "" || resolved.startsWith("..") || Path.isAbsolute(resolved)) {
            problems.push(
              new BuildConfigError({
                file: configFile,
                field,
                reason: `${JSON.stringify(dependency)} is outside the repository; name a package folder inside it`
              })
            )
            continue
          }
          if (resolved === directory) {
            problems.push(
              new BuildConfigError({
                file: configFile,
                field,
                reason: `${JSON.stringify(dependency)} is this package itself`
              })
            )
            continue
          }
          const exists = yield* fs
            .exists(Path.join(absoluteRoot, resolved, buildConfigFileName))
            .pipe(Effect.orElseSucceed(() => false))
          if (!exists) {
            problems.push(
              new BuildConfigError({
                file: configFile,
                field,
                reason: `${JSON.stringify(dependency)} has no ${buildConfigFileName} (looked for ${resolved}/${buildConfigFileName}); add one or fix the path`
              })
            )
            continue
          }
          dependencies.push(resolved)
        }
        packages.set(directory, { directory, configFile, config, dependencies })
        for (const dependency of dependencies) {
          yield* loadPackage(dependency)
        }
      })

    const entries = yield* fs
      .readDirectory(Path.join(absoluteRoot, packagesFolder))
      .pipe(Effect.orElseSucceed((): Array<string> => []))
    for (const entry of [...entries].sort()) {
      const directory = `${packagesFolder}/${entry}`
      const hasConfig = yield* fs
        .exists(Path.join(absoluteRoot, directory, buildConfigFileName))
        .pipe(Effect.orElseSucceed(() => false))
      if (hasConfig) {
        yield* loadPackage(directory)
      }
    }

    if (packages.size === 0 && problems.length === 0) {
      problems.push(
        new BuildConfigError({
          file: `${packagesFolder}/*/${buildConfigFileName}`,
          field: null,
          reason: `no package under ${absoluteRoot}/${packagesFolder} has a ${buildConfigFileName}; run the generator from the repository root or pass --root`
        })
      )
    }
    problems.push(...findCycles(packages))
    if (problems.length > 0) {
      return yield* Effect.fail(problems as ReadonlyArray<BuildConfigError>)
    }
    const images = [...packages.values()]
      .filter((buildPackage) => buildPackage.config.targetImageName !== null)
      .sort((a, b) => a.directory.localeCompare(b.directory))
    const names = new Map<string, string>()
    for (const image of images) {
      const name = image.config.targetImageName ?? ""
      const other = names.get(name)
      if (other !== undefined) {
        problems.push(
          new BuildConfigError({
            file: image.configFile,
            field: "targetImageName",
            reason: `"${name}" is already the image of ${other}; give every image its own name`
          })
        )
      }
      names.set(name, image.directory)
    }
    if (problems.length > 0) {
      return yield* Effect.fail(problems as ReadonlyArray<BuildConfigError>)
    }
    return { packages, images } satisfies BuildGraph
  })

/** Reports every dependency cycle once, starting from the first package (by folder) on it. */
const findCycles = (packages: ReadonlyMap<string, BuildPackage>) => {
  const problems: Array<BuildConfigError> = []
  const done = new Set<string>()
  const reported = new Set<string>()
  const visit = (directory: string, stack: Array<string>) => {
    const start = stack.indexOf(directory)
    if (start !== -1) {
      const cycle = stack.slice(start)
      const first = [...cycle].sort()[0] ?? directory
      const rotated = [
        ...cycle.slice(cycle.indexOf(first)),
        ...cycle.slice(0, cycle.indexOf(first))
      ]
      const key = rotated.join(" ")
      if (!reported.has(key)) {
        reported.add(key)
        const buildPackage = packages.get(first)
        const next = rotated[1 % rotated.length] ?? first
        const index = buildPackage?.dependencies.indexOf(next) ?? -1
        problems.push(
          new BuildConfigError({
            file: `${first}/${buildConfigFileName}`,
            field: index === -1 ? "buildDependencies" : `buildDependencies[${index}]`,
            reason: `build dependency cycle: ${[...rotated, first].join(" -> ")}; a package cannot be built into itself`
          })
        )
      }
      return
    }
    if (done.has(directory)) return
    const buildPackage = packages.get(directory)
    if (buildPackage === undefined) return
    stack.push(directory)
    for (const dependency of buildPackage.dependencies) visit(dependency, stack)
    stack.pop()
    done.add(directory)
  }
  for (const directory of [...packages.keys()].sort()) visit(directory, [])
  return problems
}

/**
 * The package and everything it is built with, dependencies before dependents (a topological
 * order; ties are broken by folder name so the output is stable).
 */
export const closure = (graph: BuildGraph, directory: string): ReadonlyArray<BuildPackage> => {
  const ordered: Array<BuildPackage> = []
  const seen = new Set<string>()
  const visit = (current: string) => {
    if (seen.has(current)) return
    seen.add(current)
    const buildPackage = graph.packages.get(current)
    if (buildPackage === undefined) return
    for (const dependency of [...buildPackage.dependencies].sort()) visit(dependency)
    ordered.push(buildPackage)
  }
  visit(directory)
  return ordered
}
