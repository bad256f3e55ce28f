/** The build pipeline generator: build configs in, Dockerfiles and `.gitlab-ci.yml` out. */
export * as BuildConfig from "./BuildConfig.js"
export type { BuildConfigInput } from "./BuildConfig.js"
export * as BuildGraph from "./BuildGraph.js"
export * as CiJobTemplate from "./CiJobTemplate.js"
export * as Dockerfile from "./Dockerfile.js"
export * as Generator from "./Generator.js"
export * as GitLabCi from "./GitLabCi.js"
