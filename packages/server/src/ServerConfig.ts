/**
 * Settings of the API server, from the environment.
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export interface ServerSettings {
  /** Debug mode: the moderator `videoag` / `videoag` exists and cookies are not `Secure`. */
  readonly debug: boolean
  readonly host: string
  readonly port: number
  /** Public base URL of the file provider; media URLs start with it. */
  readonly fileProviderUrl: string
  /** Base URL under which the file provider answers the server's HEAD checks of source files. */
  readonly sourceFileCheckUrl: string
  readonly sessionLifetime: Duration.Duration
  /** Marks the session cookie `Secure`, so browsers send it over HTTPS only. */
  readonly secureCookies: boolean
}

export class ServerConfig extends Context.Tag("@videoag/server/ServerConfig")<
  ServerConfig,
  ServerSettings
>() {}

const httpUrl = (name: string) =>
  Config.string(name).pipe(
    Config.validate({
      message: "Expected an http:// or https:// URL",
      validation: (value) => /^https?:\/\/[^/\s]+(\/\S*)?$/.test(value)
    }),
    Config.map((value) => value.replace(/\/+$/, ""))
  )

export const settings: Effect.Effect<ServerSettings, ConfigError.ConfigError> = Effect.gen(
  function* () {
    const debug = yield* Config.withDefault(Config.boolean("VIDEOAG_DEBUG"), false)
    return {
      debug,
      host: yield* Config.withDefault(Config.string("VIDEOAG_HTTP_HOST"), "0.0.0.0"),
      port: yield* Config.port("VIDEOAG_HTTP_PORT").pipe(Config.withDefault(5000)),
      fileProviderUrl: yield* httpUrl("VIDEOAG_FILE_PROVIDER_URL"),
      sourceFileCheckUrl: yield* httpUrl("VIDEOAG_SOURCE_FILE_CHECK_URL"),
      sessionLifetime: yield* Config.duration("VIDEOAG_SESSION_LIFETIME").pipe(
        Config.withDefault(Duration.days(14))
      ),
      secureCookies: yield* Config.withDefault(Config.boolean("VIDEOAG_SECURE_COOKIES"), !debug)
    }
  }
)

export const layer = Layer.effect(ServerConfig, settings)

export const layerWith = (settings: ServerSettings) => Layer.succeed(ServerConfig, settings)
