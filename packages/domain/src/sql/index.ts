/**
 * Database parts shared by server and orchestrator: the PostgreSQL client, migrations and
 * repositories. Workers must not import this entry point.
 */
export * as Database from "./Database.js"
export * as Health from "./Health.js"
export * from "./JobRepository.js"
export * from "./MediaRelocation.js"
export * from "./JobScheduleRepository.js"
export * from "./MediaRepository.js"
export * as Migrations from "./Migrations.js"
export * from "./SourceFileRepository.js"
export * from "./SqlErrors.js"
