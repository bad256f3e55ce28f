import { describe, expect, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { promisify } from "node:util"
import { freePort, temporaryFolder } from "./support/Harness.js"

const execFile = promisify(ChildProcess.execFile)
const script = Path.join(import.meta.dirname, "support/embeddedQuery.ts")

const runAs = (user: string | null, folder: string, port: number) =>
  Effect.promise(async () => {
    const node = [process.execPath, "--import", tsxLoaderPath(), script, folder, String(port)]
    const command = user === null ? node : ["runuser", "-u", user, "--", ...node]
    const { stdout } = await execFile(command[0]!, command.slice(1), {
      cwd: Path.resolve(import.meta.dirname, "../../..")
    })
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as {
      name: string
      database: string
      serverPid: number
    }
  })

const tsxLoaderPath = () =>
  Path.resolve(import.meta.dirname, "../../../node_modules/tsx/dist/loader.mjs")

const isRoot = process.getuid?.() === 0
const testUser = "videoag-test-user"

describe("EmbeddedPostgres", () => {
  it.scopedLive(
    `starts, answers queries and stops as ${isRoot ? "root" : "this user"}`,
    () =>
      Effect.gen(function* () {
        const folder = yield* temporaryFolder("videoag-embedded-")
        yield* Effect.promise(() => Fs.chmod(folder, 0o755))
        const result = yield* runAs(null, folder, yield* Effect.promise(freePort))
        expect(result).toMatchObject({ name: "postgres", database: "probe" })
        const alive = yield* Effect.sync(() => {
          try {
            process.kill(result.serverPid, 0)
            return true
          } catch {
            return false
          }
        })
        expect(alive).toBe(false)
      }),
    120_000
  )

  it.scopedLive.skipIf(!isRoot)(
    "starts as a normal user",
    () =>
      Effect.gen(function* () {
        yield* Effect.promise(() =>
          execFile("id", [testUser]).catch(() => execFile("useradd", ["--system", testUser]))
        )
        const folder = yield* temporaryFolder("videoag-embedded-user-")
        yield* Effect.promise(async () => {
          await Fs.chmod(folder, 0o755)
          await execFile("chown", [testUser, folder])
        })
        const result = yield* runAs(testUser, folder, yield* Effect.promise(freePort))
        expect(result).toMatchObject({ name: "postgres", database: "probe" })
        const owner = yield* Effect.promise(() => Fs.stat(Path.join(folder, "cluster")))
        const { stdout } = yield* Effect.promise(() => execFile("id", ["-u", testUser]))
        expect(owner.uid).toBe(Number(stdout.trim()))
      }),
    120_000
  )
})
