/** The embedded default: embedded PostgreSQL, the file provider and the whole stack. */
export * as EmbeddedPostgres from "./EmbeddedPostgres.js"
export * as FileProvider from "./FileProvider.js"
export * as Stack from "./Stack.js"
