/**
 * Moves a job's finished outputs from its work folder into their output folder inside the media
 * root. Each file and each output folder (such as `hls/`) arrives with one rename, so the file
 * provider never serves a partial file. The moves run uninterruptibly, so a stopped job does not
 * leave half of its outputs in place.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as MediaRoot from "./MediaRoot.js"

export interface PublishOptions {
  /** The attempt's work folder; replaced output folders are moved here and removed with it. */
  readonly workDirectory: string
  /** Folder inside the work folder that contains the finished outputs. */
  readonly stagingDirectory: string
  readonly target: { readonly relativePath: string; readonly absolutePath: string }
  /** Names of finished files in the staging folder. */
  readonly files: ReadonlyArray<string>
  /** Names of finished folders in the staging folder; an existing folder of the name is replaced. */
  readonly folders?: ReadonlyArray<string>
}

export const publish = (options: PublishOptions) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const failure = MediaRoot.fileSystemFailure(
      "publish_failed",
      "move the outputs into",
      options.target.relativePath
    )
    yield* fs
      .makeDirectory(options.target.absolutePath, { recursive: true })
      .pipe(Effect.mapError(failure))
    for (const folder of options.folders ?? []) {
      const destination = path.join(options.target.absolutePath, folder)
      if (yield* fs.exists(destination).pipe(Effect.mapError(failure))) {
        yield* fs
          .rename(destination, path.join(options.workDirectory, `replaced-${folder}`))
          .pipe(Effect.mapError(failure))
      }
      yield* fs
        .rename(path.join(options.stagingDirectory, folder), destination)
        .pipe(Effect.mapError(failure))
    }
    for (const file of options.files) {
      yield* fs
        .rename(
          path.join(options.stagingDirectory, file),
          path.join(options.target.absolutePath, file)
        )
        .pipe(Effect.mapError(failure))
    }
  }).pipe(Effect.uninterruptible, Effect.withSpan("Publish.publish"))
