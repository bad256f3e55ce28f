/** Values the test run's global setup passes to the test files through `inject`. */
import type {} from "vitest"

declare module "vitest" {
  export interface ProvidedContext {
    /** Connection URL of the test run's PostgreSQL server, to its maintenance database. */
    testDatabaseAdminUrl: string
  }
}

export const testDatabaseAdminUrlKey = "testDatabaseAdminUrl"
