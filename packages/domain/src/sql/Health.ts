/**
 * Liveness and readiness of the processes that use the database, for the Kubernetes probes:
 *
 * - `GET /health/live` returns 200 while the process serves HTTP at all;
 * - `GET /health/ready` returns 200 when PostgreSQL responds and every migration of this build
 *   has been applied, and 503 with the failed checks otherwise.
 *
 * Both bodies are JSON. A not-ready body carries `code: "not_ready"` and an English message, like
 * the API's errors.
 */
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Migrations from "./Migrations.js"

/** The table `Migrations.run` records applied migrations in. */
const migrationsTable = "schema_migrations"

export const livePath = "/health/live"
export const readyPath = "/health/ready"

/** Maximum time each database query of a readiness check may take. */
export const checkTimeout = Duration.seconds(2)

export interface CheckResult {
  readonly ok: boolean
  /** Reason the check failed, or null when it passed. */
  readonly message: string | null
}

export interface Readiness {
  readonly ready: boolean
  readonly checks: {
    readonly database: CheckResult
    readonly migrations: CheckResult & {
      /** Newest applied migration id, null when none is known. */
      readonly applied: number | null
      /** Newest migration id of this build. */
      readonly expected: number
    }
  }
}

const passed: CheckResult = { ok: true, message: null }

const reasonOf = (cause: Cause.Cause<unknown>) => {
  const error = Cause.squash(cause)
  const described = error instanceof Error ? error : new Error(String(error))
  const inner = (described as { cause?: unknown }).cause
  return inner instanceof Error ? `${described.message}: ${inner.message}` : described.message
}

/** Checks that PostgreSQL responds and that the migrations of this build are applied. */
export const checkReadiness: Effect.Effect<Readiness, never, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient.SqlClient
    const expected = Migrations.latestMigrationId
    const database = yield* sql`SELECT 1`.pipe(
      Effect.timeoutFail({
        duration: checkTimeout,
        onTimeout: () => new Error(`no response within ${Duration.format(checkTimeout)}`)
      }),
      Effect.as(passed),
      Effect.catchAllCause((cause) =>
        Effect.succeed({ ok: false, message: `PostgreSQL is unreachable: ${reasonOf(cause)}` })
      )
    )
    if (!database.ok) {
      return {
        ready: false,
        checks: {
          database,
          migrations: {
            ok: false,
            message: "not checked, because the database is unreachable",
            applied: null,
            expected
          }
        }
      }
    }
    const migrations = yield* sql<{ latest: number | null }>`
      SELECT max(migration_id) AS latest FROM ${sql(migrationsTable)}
    `.pipe(
      Effect.timeout(checkTimeout),
      Effect.map((rows) => rows[0]?.latest ?? null),
      Effect.map((applied) =>
        applied !== null && applied >= expected
          ? { ...passed, applied, expected }
          : {
              ok: false,
              message: `migration ${expected} is not applied yet (newest applied: ${applied ?? "none"})`,
              applied,
              expected
            }
      ),
      Effect.catchAllCause((cause) =>
        Effect.succeed({
          ok: false,
          message: `the migrations table could not be read: ${reasonOf(cause)}`,
          applied: null,
          expected
        })
      )
    )
    return { ready: migrations.ok, checks: { database, migrations } }
  }
).pipe(Effect.withSpan("Health.checkReadiness"))

const failedChecks = (readiness: Readiness) =>
  Object.values(readiness.checks)
    .filter((check) => !check.ok)
    .map((check) => check.message)
    .join("; ")

/**
 * Builds the two health routes, which query through the SQL client of the layer that builds
 * them. A change of readiness is logged once, not on every probe.
 */
export const routes: Effect.Effect<HttpRouter.HttpRouter, never, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient.SqlClient
    const wasReady = yield* Ref.make<boolean | null>(null)
    const ready = Effect.gen(function* () {
      const readiness = yield* Effect.provideService(checkReadiness, SqlClient.SqlClient, sql)
      const previous = yield* Ref.getAndSet(wasReady, readiness.ready)
      if (previous !== readiness.ready) {
        yield* readiness.ready
          ? Effect.logInfo("Ready")
          : Effect.logWarning("Not ready").pipe(
              Effect.annotateLogs({ reason: failedChecks(readiness) })
            )
      }
      return readiness.ready
        ? HttpServerResponse.unsafeJson({ status: "ready", checks: readiness.checks })
        : HttpServerResponse.unsafeJson(
            {
              status: "not_ready",
              code: "not_ready",
              message: `Not ready: ${failedChecks(readiness)}`,
              checks: readiness.checks
            },
            { status: 503 }
          )
    })
    // Probes arrive every few seconds; the request log would drown in them.
    return HttpRouter.empty.pipe(
      HttpRouter.get(
        livePath,
        HttpMiddleware.withLoggerDisabled(
          Effect.succeed(HttpServerResponse.unsafeJson({ status: "live" }))
        )
      ),
      HttpRouter.get(readyPath, HttpMiddleware.withLoggerDisabled(ready))
    )
  }
)
