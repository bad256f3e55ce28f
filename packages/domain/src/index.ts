/**
 * Schemas, errors, the HTTP contract and the job catalogue shared by all packages. This entry
 * point holds no SQL; the database parts are under `@videoag/domain/sql`.
 */
export * from "./ApiErrors.js"
export * from "./Course.js"
export * from "./Ids.js"
export * from "./Job.js"
export * from "./JobTypes.js"
export * from "./Lecture.js"
export * from "./MediaPath.js"
export * from "./Medium.js"
export * from "./SourceFile.js"
export * from "./Text.js"
export * from "./User.js"
export * as Runtime from "./Runtime.js"
export * as Shutdown from "./Shutdown.js"
export * from "./WorkerProtocol.js"
export * from "./api/Api.js"
export * from "./api/AuthApi.js"
export * from "./api/Authentication.js"
export * from "./api/CoursesApi.js"
export * from "./api/JobsApi.js"
export * from "./api/LecturesApi.js"
