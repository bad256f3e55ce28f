/**
 * `npm run create-moderator` as an operator runs it: the password on standard input or in
 * VIDEOAG_MODERATOR_PASSWORD, and one readable line when something is wrong.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import pg from "pg"
import { TestDatabase } from "@videoag/domain/testing"

const main = Path.join(import.meta.dirname, "../src/createModeratorMain.ts")

const runCommand = (
  args: ReadonlyArray<string>,
  environment: Record<string, string>,
  stdin: string
) =>
  Effect.async<{ code: number | null; stderr: string }>((resume) => {
    const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", main, ...args], {
      env: { PATH: process.env["PATH"] ?? "", VIDEOAG_LOG_FORMAT: "logfmt", ...environment },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    child.on("exit", (code) => resume(Effect.succeed({ code, stderr })))
    child.stdin.end(stdin)
  })

const usernames = (url: Redacted.Redacted) =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: Redacted.value(url) })
    await client.connect()
    try {
      const result = await client.query("SELECT username, role FROM users ORDER BY username")
      return result.rows as Array<{ username: string; role: string }>
    } finally {
      await client.end()
    }
  })

describe("create-moderator command", () => {
  it.scopedLive(
    "reads the password from standard input",
    () =>
      Effect.gen(function* () {
        const url = yield* TestDatabase.createDatabase
        const environment = { DATABASE_URL: Redacted.value(url) }
        const created = yield* runCommand(
          ["--username", "erika", "--display-name", "Erika Mustermann"],
          environment,
          "geheimes-passwort-123\n"
        )
        expect(created.code, created.stderr).toBe(0)
        expect(yield* usernames(url)).toEqual([{ username: "erika", role: "admin" }])

        const empty = yield* runCommand(
          ["--username", "max", "--display-name", "Max"],
          environment,
          ""
        )
        expect(empty.code).toBe(1)
        expect(empty.stderr.trim()).toBe(
          "error: The password is empty: set VIDEOAG_MODERATOR_PASSWORD or give the password as the first line of standard input"
        )

        const missingDatabase = yield* runCommand(
          ["--username", "max", "--display-name", "Max"],
          {},
          "long enough password\n"
        )
        expect(missingDatabase.code).toBe(1)
        expect(missingDatabase.stderr.trim()).toBe(
          "error: invalid configuration: DATABASE_URL is missing; set it in the environment or in the file named by VIDEOAG_CONFIG"
        )
      }),
    120_000
  )
})
