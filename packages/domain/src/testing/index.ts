/** Test helpers shared by the packages' test suites. */
export * as TestDatabase from "./TestDatabase.js"
export * as TestMedia from "./TestMedia.js"
