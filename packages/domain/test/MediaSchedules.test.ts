import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { findJobType } from "../src/JobTypes.js"
import { TestDatabase } from "../src/testing/index.js"

describe("media schedules", () => {
  it.layer(TestDatabase.layer)((it) => {
    it.effect("run the sorter and the published-files check with valid inputs", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ name: string; cron: string; jobType: string; input: unknown }>`
          SELECT name, cron, job_type, input FROM job_schedules ORDER BY name
        `
        expect(rows.map((row) => [row.name, row.cron, row.jobType])).toEqual([
          ["published-files-check", "30 3 * * *", "media.list_published"],
          ["sorter", "*/5 * * * *", "media.scan_incoming"]
        ])
        for (const row of rows) {
          const type = Option.getOrThrow(findJobType(row.jobType))
          const decode = Schema.decodeUnknownEither(type.input as Schema.Schema<unknown, unknown>, {
            onExcessProperty: "error"
          })
          expect(decode(row.input)._tag, row.name).toBe("Right")
        }
      })
    )
  })
})
