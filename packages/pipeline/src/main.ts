/**
 * `npm run pipeline`: regenerates the Dockerfiles under `docker/` and `.gitlab-ci.yml` from the
 * packages' `build.config.ts` files. `npm run pipeline -- --check` changes nothing and exits
 * with 1 when a generated file is stale, with 2 when a build config is invalid.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Path from "node:path"
import * as Generator from "./Generator.js"

const usage = `Usage: npm run pipeline [-- --check] [-- --root <repository root>]
  --check   change nothing; exit with 1 when a generated file is stale
  --root    the repository root (default: the current folder)`

const exitCodes = { ok: 0, stale: 1, invalid: 2 } as const

const parseArguments = (args: ReadonlyArray<string>) => {
  let check = false
  let root = "."
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]
    if (arg === "--check") check = true
    else if (arg === "--root" && args[index + 1] !== undefined) root = args[++index] ?? root
    else return null
  }
  return { check, root: Path.resolve(root) }
}

const program = Effect.gen(function* () {
  const options = parseArguments(process.argv.slice(2))
  if (options === null) {
    yield* Effect.logError(usage)
    return exitCodes.invalid
  }
  const generated = yield* Effect.either(Generator.generate(options.root))
  if (generated._tag === "Left") {
    for (const problem of generated.left) {
      yield* Effect.logError(problem.message)
    }
    yield* Effect.logError(
      `${generated.left.length} problem(s) in the build configs; nothing was generated`
    )
    return exitCodes.invalid
  }
  const files = generated.right
  if (options.check) {
    const stale = yield* Generator.findStale(options.root, files)
    for (const path of stale.outdated) yield* Effect.logError(`${path} is stale`)
    for (const path of stale.orphaned) {
      yield* Effect.logError(`${path} was generated for a package that no longer has an image`)
    }
    if (stale.outdated.length + stale.orphaned.length > 0) {
      yield* Effect.logError("Generated files are stale; run `npm run pipeline` and commit them")
      return exitCodes.stale
    }
    yield* Effect.logInfo(`${files.length} generated files are up to date`)
    return exitCodes.ok
  }
  const changed = yield* Generator.write(options.root, files)
  for (const path of changed.outdated) yield* Effect.logInfo(`Wrote ${path}`)
  for (const path of changed.orphaned) yield* Effect.logInfo(`Removed ${path}`)
  yield* Effect.logInfo(
    `${files.length} generated files, ${changed.outdated.length + changed.orphaned.length} changed`
  )
  return exitCodes.ok
})

const plainLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ logLevel, message }) => {
    const text = Array.isArray(message) ? message.join(" ") : String(message)
    const stream = LogLevel.greaterThanEqual(logLevel, LogLevel.Warning)
      ? process.stderr
      : process.stdout
    stream.write(`${logLevel.label === "INFO" ? "" : `${logLevel.label.toLowerCase()}: `}${text}\n`)
  })
)

NodeRuntime.runMain(program.pipe(Effect.provide(NodeContext.layer), Effect.provide(plainLogger)), {
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) {
      onExit(typeof exit.value === "number" ? exit.value : exitCodes.invalid)
    } else {
      onExit(Exit.isInterrupted(exit) ? 130 : exitCodes.invalid)
    }
  }
})
