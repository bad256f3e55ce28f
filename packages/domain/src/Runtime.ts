/**
 * Process-level setup shared by the entry points: the configuration provider, the logger and
 * the way a program reports why it stopped.
 *
 * Configuration comes from environment variables. `VIDEOAG_CONFIG` may name a JSON file with
 * the same variable names as keys; environment variables win over the file.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Fs from "node:fs"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"

export class ConfigFileError extends Data.TaggedError("ConfigFileError")<{
  readonly message: string
}> {}

const readConfigFile = (path: string) =>
  Effect.try({
    try: () => JSON.parse(Fs.readFileSync(path, "utf8")) as unknown,
    catch: (cause) =>
      new ConfigFileError({
        message: `VIDEOAG_CONFIG names ${path}, which could not be read as JSON: ${cause instanceof Error ? cause.message : String(cause)}`
      })
  }).pipe(
    Effect.filterOrFail(
      (json): json is Record<string, unknown> =>
        typeof json === "object" && json !== null && !Array.isArray(json),
      () =>
        new ConfigFileError({
          message: `VIDEOAG_CONFIG names ${path}, which must hold a JSON object of settings`
        })
    )
  )

/** Environment variables, then the optional `VIDEOAG_CONFIG` file. */
export const makeConfigProvider = Effect.gen(function* () {
  const fromEnv = ConfigProvider.fromEnv()
  const path = process.env["VIDEOAG_CONFIG"]
  if (path === undefined || path === "") {
    return fromEnv
  }
  const json = yield* readConfigFile(path)
  const stringified = Object.fromEntries(
    Object.entries(json).map(([key, value]) => [
      key,
      Array.isArray(value) ? value.join(",") : String(value)
    ])
  )
  return fromEnv.pipe(
    ConfigProvider.orElse(() => ConfigProvider.fromMap(new Map(Object.entries(stringified))))
  )
})

export type LogFormat = "pretty" | "json" | "logfmt"

const loggerFor = (format: LogFormat) => {
  switch (format) {
    case "pretty":
      return Logger.pretty
    case "json":
      return Logger.json
    case "logfmt":
      return Logger.logFmt
  }
}

/**
 * Sets the configuration provider and the logger of an entry point. `VIDEOAG_LOG_FORMAT`
 * (`pretty`, `json` or `logfmt`), read like every other setting, overrides `defaultFormat`.
 */
export const layer = (defaultFormat: LogFormat) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const provider = yield* makeConfigProvider
      const format = yield* Config.literal(
        "pretty",
        "json",
        "logfmt"
      )("VIDEOAG_LOG_FORMAT").pipe(
        Config.withDefault(defaultFormat),
        Effect.withConfigProvider(provider)
      )
      return Layer.merge(Layer.setConfigProvider(provider), loggerFor(format))
    })
  )

/** Describes the leaves of a configuration error, invalid values before missing ones. */
const describeConfigError = (error: ConfigError.ConfigError): string => {
  const leaves: Array<{ readonly invalid: boolean; readonly text: string }> = []
  const visit = (node: ConfigError.ConfigError): void => {
    switch (node._op) {
      case "And":
      case "Or":
        visit(node.left)
        visit(node.right)
        return
      case "MissingData":
        leaves.push({
          invalid: false,
          text: `${node.path.join(".")} is missing; set it in the environment or in the file named by VIDEOAG_CONFIG`
        })
        return
      default:
        leaves.push({ invalid: true, text: `${node.path.join(".")}: ${node.message}` })
    }
  }
  visit(error)
  const invalid = leaves.filter((leaf) => leaf.invalid)
  const chosen = invalid.length > 0 ? invalid : leaves
  return [...new Set(chosen.map((leaf) => leaf.text))].join("; ")
}

/** Errors whose message is written for the person who started the program. */
const userErrorTags: ReadonlySet<string> = new Set([
  "ConfigFileError",
  "CreateModeratorError",
  "EmbeddedPostgresError"
])

const reportFailure = (cause: Cause.Cause<unknown>) => {
  if (Cause.isInterruptedOnly(cause)) return Effect.void
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (ConfigError.isConfigError(error)) {
      return Effect.sync(() =>
        process.stderr.write(`error: invalid configuration: ${describeConfigError(error)}\n`)
      )
    }
    if (
      typeof error === "object" &&
      error !== null &&
      "_tag" in error &&
      userErrorTags.has(String(error._tag)) &&
      "message" in error
    ) {
      return Effect.sync(() => process.stderr.write(`error: ${String(error.message)}\n`))
    }
  }
  return Effect.logError("Stopped by an unexpected error", cause)
}

/**
 * Runs the main effect of an entry point with signal handling: SIGINT and SIGTERM interrupt it,
 * and a failure exits with code 1. A configuration error or another error meant for the user is
 * printed as one line; anything else is logged with its cause.
 */
export const runMain = <A, E>(effect: Effect.Effect<A, E>) =>
  NodeRuntime.runMain(effect.pipe(Effect.tapErrorCause(reportFailure)), {
    disableErrorReporting: true,
    disablePrettyLogger: true
  })
