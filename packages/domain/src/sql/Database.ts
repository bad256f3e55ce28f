/**
 * The PostgreSQL client shared by server and orchestrator. Column names are converted between
 * snake_case (SQL) and camelCase (TypeScript), and `bigint` columns are parsed as numbers: every
 * id and byte size here stays far below 2^53.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as String from "effect/String"
import pg from "pg"

const int8Oid = 20

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === int8Oid && format !== "binary"
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"]
}

export interface DatabaseOptions {
  readonly url: Redacted.Redacted
  readonly applicationName: string
  readonly maxConnections?: number | undefined
}

/** A `SqlClient` and `PgClient` connected to the PostgreSQL server at `url`. */
export const layer = (options: DatabaseOptions) =>
  PgClient.layer({
    url: options.url,
    applicationName: options.applicationName,
    maxConnections: options.maxConnections ?? 10,
    connectTimeout: Duration.seconds(10),
    idleTimeout: Duration.seconds(60),
    transformResultNames: String.snakeToCamel,
    transformQueryNames: String.camelToSnake,
    transformJson: false,
    types
  })

/** `layer` configured from `DATABASE_URL` (a `postgres://` connection URL). */
export const layerFromEnvironment = (applicationName: string) =>
  Layer.unwrapEffect(
    Config.map(
      Config.redacted("DATABASE_URL").pipe(
        Config.validate({
          message:
            "Expected a PostgreSQL connection URL such as postgres://user:password@host:5432/videoag",
          validation: (url) => /^postgres(ql)?:\/\//.test(Redacted.value(url))
        })
      ),
      (url) => layer({ url, applicationName })
    )
  )
