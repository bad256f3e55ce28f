/** The job controller and its executors, as layers for entry points and tests. */
export * as HealthServer from "./HealthServer.js"
export * from "./JobExecutor.js"
export * as LocalProcessExecutor from "./LocalProcessExecutor.js"
export * as Orchestrator from "./Orchestrator.js"
export * as OrchestratorConfig from "./OrchestratorConfig.js"
export { MediaPipeline } from "./MediaPipeline.js"
