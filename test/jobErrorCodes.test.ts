/**
 * Every job error code the code base sets is documented in `jobErrorCodes`, which the API's
 * docs page lists for the frontend to translate.
 */
import { describe, expect, it } from "vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { isJobErrorCode, jobErrorCodes } from "../packages/domain/src/JobErrorCodes.js"

const root = Path.resolve(import.meta.dirname, "..")

const sources = [
  ...["packages/workers/src", "packages/orchestrator/src"].flatMap((folder) =>
    Fs.readdirSync(Path.join(root, folder), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .map((file) => Path.join(folder, file))
  ),
  "packages/domain/src/sql/JobRepository.ts"
]

/** `code: "x"`, `code: condition ? "x" : "y"`, and the failure helpers' first arguments. */
const patterns = [
  /code:\s*"([a-z_]+)"/g,
  /code:[^,]*?\?\s*"([a-z_]+)"\s*:\s*"([a-z_]+)"/g,
  /\b(?:failed|fileSystemFailure)\(\s*"([a-z_]+)"/g
]

const codesSetIn = (source: string) =>
  patterns.flatMap((pattern) =>
    [...source.matchAll(pattern)].flatMap((match) =>
      match.slice(1).filter((group) => group !== undefined)
    )
  )

describe("job error codes", () => {
  it("every code set in the code base is documented", () => {
    const used = new Map<string, string>()
    for (const file of sources) {
      for (const code of codesSetIn(Fs.readFileSync(Path.join(root, file), "utf8"))) {
        used.set(code, file)
      }
    }
    expect(used.size).toBeGreaterThan(40)
    const undocumented = [...used].filter(([code]) => !isJobErrorCode(code))
    expect(undocumented).toEqual([])
  })

  it("the scan finds codes in each form", () => {
    expect(codesSetIn('error: { code: "worker_killed", message }')).toEqual(["worker_killed"])
    expect(codesSetIn('code: full\n  ? "disk_full"\n  : "ffmpeg_failed",')).toEqual([
      "disk_full",
      "ffmpeg_failed"
    ])
    expect(codesSetIn('failed(\n  "out_of_memory",')).toEqual(["out_of_memory"])
  })

  it("every documented code has a meaning", () => {
    for (const [code, meaning] of Object.entries(jobErrorCodes)) {
      expect(meaning.length, code).toBeGreaterThan(10)
    }
  })
})
