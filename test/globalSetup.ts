/**
 * Starts one embedded PostgreSQL server for the whole test run. Each test file creates its own
 * database on it (see `TestDatabase` in `@videoag/domain/testing`), so files run in parallel
 * without seeing each other's rows.
 */
import * as Fs from "node:fs/promises"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import type {} from "vitest"
import type { TestProject } from "vitest/node"
import { start } from "../packages/standalone/src/EmbeddedPostgres.js"
import { testDatabaseAdminUrlKey } from "../packages/domain/src/testing/ProvidedContext.js"

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0))
    })
  })

export default async function setup(project: TestProject) {
  const directory = await Fs.mkdtemp(Path.join(Os.tmpdir(), "videoag-test-db-"))
  await Fs.chmod(directory, 0o755)
  const scope = Effect.runSync(Scope.make())
  const server = await Effect.runPromise(
    start({
      dataDirectory: Path.join(directory, "cluster"),
      passwordFile: Path.join(directory, "password"),
      port: await freePort(),
      database: "postgres"
    }).pipe(Scope.extend(scope))
  )
  project.provide(testDatabaseAdminUrlKey, Redacted.value(server.adminUrl))
  return async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await Fs.rm(directory, { recursive: true, force: true })
  }
}
