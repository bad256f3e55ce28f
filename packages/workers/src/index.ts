/** The worker's building blocks, for tests and tools; the CLI entry point is `./main`. */
export * as Ffmpeg from "./Ffmpeg.js"
export * as Ffprobe from "./Ffprobe.js"
export * from "./JobFailure.js"
export * as MediaRoot from "./MediaRoot.js"
export * as MediaTranscode from "./jobs/MediaTranscode.js"
export * as Worker from "./Worker.js"
export * as WorkerChannel from "./WorkerChannel.js"
export * as WorkerConfig from "./WorkerConfig.js"
