/**
 * Settings of the API server, from the environment.
 */
import * as Crypto from "node:crypto"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { parseAddressRanges } from "./access/ClientAddress.js"

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
  /** Marks the session and grant cookies `Secure`, so browsers send them over HTTPS only. */
  readonly secureCookies: boolean
  /** Address ranges (CIDR, IPv4 and IPv6) of the university network. */
  readonly universityNetworks: ReadonlyArray<string>
  /** Address ranges of reverse proxies whose `X-Forwarded-For` header is believed. */
  readonly trustedProxies: ReadonlyArray<string>
  /** Secret shared with the file provider's `secure_link_md5`. */
  readonly secureLinkSecret: Redacted.Redacted
  /** Key for the grant cookie's signature and for hashing rate-limit keys. */
  readonly serverSecret: Redacted.Redacted
  /** How long a signed media URL stays valid. */
  readonly mediaUrlLifetime: Duration.Duration
  /** How long a password grant stays valid. */
  readonly passwordGrantLifetime: Duration.Duration
  /** Public base URL of the website; feeds link lectures as `<siteUrl>/<handle>/<lecture id>`. */
  readonly siteUrl: string
  /** Origins (scheme, host, port) of web apps on other origins that may call the API with cookies. */
  readonly corsOrigins: ReadonlyArray<string>
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

const addressRanges = (name: string) =>
  Config.string(name).pipe(
    Config.withDefault(""),
    Config.mapOrFail((text) => {
      const ranges = text
        .split(",")
        .map((range) => range.trim())
        .filter((range) => range !== "")
      const parsed = parseAddressRanges(ranges)
      return Either.isRight(parsed)
        ? Either.right(ranges)
        : Either.left(ConfigError.InvalidData([name], parsed.left))
    })
  )

const origins = (name: string) =>
  Config.string(name).pipe(
    Config.withDefault(""),
    Config.map((text) =>
      text
        .split(",")
        .map((origin) => origin.trim().replace(/\/+$/, ""))
        .filter((origin) => origin !== "")
    ),
    Config.validate({
      message: "Expected comma-separated origins such as https://video.example.org",
      validation: (list) => list.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin))
    })
  )

/** A secret of at least 16 characters; in debug mode a random one when unset. */
const secret = (name: string, debug: boolean) =>
  Config.redacted(name).pipe(
    Config.validate({
      message: "Expected a secret of at least 16 characters, e.g. from `openssl rand -hex 32`",
      validation: (value) => Redacted.value(value).length >= 16
    }),
    debug
      ? Config.withDefault(Redacted.make(Crypto.randomBytes(32).toString("hex")))
      : (config) => config
  )

const positiveDuration = (name: string, fallback: Duration.Duration) =>
  Config.duration(name).pipe(
    Config.validate({
      message: "Expected a positive duration such as 6 hours",
      validation: (value) => Duration.greaterThan(value, Duration.zero)
    }),
    Config.withDefault(fallback)
  )

export const settings: Effect.Effect<ServerSettings, ConfigError.ConfigError> = Effect.gen(
  function* () {
    const debug = yield* Config.withDefault(Config.boolean("VIDEOAG_DEBUG"), false)
    const port = yield* Config.port("VIDEOAG_HTTP_PORT").pipe(Config.withDefault(5000))
    return {
      debug,
      host: yield* Config.withDefault(Config.string("VIDEOAG_HTTP_HOST"), "0.0.0.0"),
      port,
      fileProviderUrl: yield* httpUrl("VIDEOAG_FILE_PROVIDER_URL"),
      sourceFileCheckUrl: yield* httpUrl("VIDEOAG_SOURCE_FILE_CHECK_URL"),
      sessionLifetime: yield* positiveDuration("VIDEOAG_SESSION_LIFETIME", Duration.days(14)),
      secureCookies: yield* Config.withDefault(Config.boolean("VIDEOAG_SECURE_COOKIES"), !debug),
      universityNetworks: yield* addressRanges("VIDEOAG_UNIVERSITY_NETWORKS"),
      trustedProxies: yield* addressRanges("VIDEOAG_TRUSTED_PROXIES"),
      secureLinkSecret: yield* secret("VIDEOAG_SECURE_LINK_SECRET", debug),
      serverSecret: yield* secret("VIDEOAG_SERVER_SECRET", debug),
      mediaUrlLifetime: yield* positiveDuration("VIDEOAG_MEDIA_URL_LIFETIME", Duration.hours(6)),
      passwordGrantLifetime: yield* positiveDuration(
        "VIDEOAG_PASSWORD_GRANT_LIFETIME",
        Duration.days(7)
      ),
      siteUrl: yield* httpUrl("VIDEOAG_SITE_URL").pipe(
        Config.withDefault(`http://localhost:${port}`)
      ),
      corsOrigins: yield* origins("VIDEOAG_CORS_ORIGINS")
    }
  }
)

export const layer = Layer.effect(ServerConfig, settings)

export const layerWith = (settings: ServerSettings) => Layer.succeed(ServerConfig, settings)
