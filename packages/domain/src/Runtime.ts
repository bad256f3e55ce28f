/**
 * Process-level setup shared by the entry points: the configuration provider and the logger.
 *
 * Configuration comes from environment variables. `VIDEOAG_CONFIG` may name a JSON file with
 * the same variable names as keys; environment variables win over the file.
 */
import * as Fs from "node:fs"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"

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
export const configProviderLayer = Layer.unwrapEffect(
  Effect.gen(function* () {
    const fromEnv = ConfigProvider.fromEnv()
    const path = process.env["VIDEOAG_CONFIG"]
    if (path === undefined || path === "") {
      return Layer.setConfigProvider(fromEnv)
    }
    const json = yield* readConfigFile(path)
    const stringified = Object.fromEntries(
      Object.entries(json).map(([key, value]) => [
        key,
        Array.isArray(value) ? value.join(",") : String(value)
      ])
    )
    return Layer.setConfigProvider(
      fromEnv.pipe(
        ConfigProvider.orElse(() => ConfigProvider.fromMap(new Map(Object.entries(stringified))))
      )
    )
  })
)

export type LogFormat = "pretty" | "json" | "logfmt"

/** Replaces the default logger; `VIDEOAG_LOG_FORMAT` overrides the given default format. */
export const loggerLayer = (defaultFormat: LogFormat) => {
  const requested = process.env["VIDEOAG_LOG_FORMAT"]
  const format: LogFormat =
    requested === "pretty" || requested === "json" || requested === "logfmt"
      ? requested
      : defaultFormat
  switch (format) {
    case "pretty":
      return Logger.pretty
    case "json":
      return Logger.json
    case "logfmt":
      return Logger.logFmt
  }
}

export const isConfigFileError = (error: unknown): error is ConfigFileError =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "ConfigFileError"
