/**
 * The `build.config.ts` of a package: what its container image is called, which other packages
 * it is built with, its Debian packages, extra Dockerfile statements and its CI test job.
 * Decoded with `effect/Schema`; every error names the file and the field.
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** Name of the file every package of the build declares itself in. */
export const buildConfigFileName = "build.config.ts"

/** A Debian package name, optionally with a version (`ffmpeg`, `libpq5=15.14-0+deb12u1`). */
const AptPackage = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$/, {
    message: (issue) =>
      `Expected a Debian package name such as "ffmpeg" or "ffmpeg=7:5.1.6-0+deb12u1", got ${JSON.stringify(issue.actual)}`
  })
)

/** One path component of an OCI image name, without registry or tag. */
const ImageName = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/, {
    message: (issue) =>
      `Expected an image name of lowercase letters, digits and single separators (".", "_", "-"), such as "videoag-server", got ${JSON.stringify(issue.actual)}`
  }),
  Schema.maxLength(100)
)

const listOf = <S extends Schema.Schema.Any>(item: S, example: string) =>
  Schema.Array(item).annotations({
    // Without `override`, the messages of invalid items still win over this one.
    message: (issue) => ({
      message: `Expected a list such as [${example}], got ${JSON.stringify(issue.actual)}`,
      override: false
    })
  })

const RelativeFolder = Schema.String.pipe(
  Schema.filter((path) => path.trim() !== "" && !path.startsWith("/") && !path.includes("\\"), {
    message: (issue) =>
      `Expected a folder path relative to this package, such as "../domain", got ${JSON.stringify(issue.actual)}`
  })
)

/** The fields of a `build.config.ts` default export. */
export const BuildConfigFields = Schema.Struct({
  /** Name of the final image; the registry name gets a `development_` or `production_` prefix. */
  targetImageName: Schema.optionalWith(ImageName, { exact: true }),
  /** True for a package that is only built into other images (it has no image of its own). */
  library: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** Folders of other packages with a `build.config.ts`, relative to this package. */
  buildDependencies: Schema.optionalWith(listOf(RelativeFolder, '"../domain"'), { exact: true }),
  /** Debian packages the image needs at run time. */
  aptRuntimeDependencies: Schema.optionalWith(listOf(AptPackage, '"ffmpeg"'), { exact: true }),
  /** Debian packages needed only while `npm ci` builds native modules. */
  aptBuildDependencies: Schema.optionalWith(listOf(AptPackage, '"ffmpeg"'), { exact: true }),
  /** Dockerfile statements appended after the install steps; `$MODULE_DIR` is this package's path. */
  dockerfileExtra: Schema.optionalWith(Schema.String, { exact: true }),
  /** A GitLab CI job in YAML, 4-space indentation; `stage`, `needs` and `image` are added. */
  ciTestJobTemplate: Schema.optionalWith(Schema.String, { exact: true })
})

export type BuildConfigInput = Schema.Schema.Encoded<typeof BuildConfigFields>

/** Type of a `build.config.ts` default export; use with `satisfies` to check a config in place. */
export type BuildConfig = BuildConfigInput

/** A decoded config with its defaults filled in. */
export interface ResolvedBuildConfig {
  readonly targetImageName: string | null
  readonly buildDependencies: ReadonlyArray<string>
  readonly aptRuntimeDependencies: ReadonlyArray<string>
  readonly aptBuildDependencies: ReadonlyArray<string>
  readonly dockerfileExtra: string | null
  readonly ciTestJobTemplate: string | null
}

/** A `build.config.ts` that is missing, cannot be loaded, or declares something invalid. */
export class BuildConfigError extends Data.TaggedError("BuildConfigError")<{
  /** The config file, relative to the repository root. */
  readonly file: string
  /** The field at fault, or null when the file as a whole is. */
  readonly field: string | null
  readonly reason: string
}> {
  override get message() {
    return this.field === null
      ? `${this.file}: ${this.reason}`
      : `${this.file}: field "${this.field}": ${this.reason}`
  }
}

const decodeFields = Schema.decodeUnknownEither(BuildConfigFields, {
  errors: "all",
  onExcessProperty: "error"
})

const fieldOf = (path: ReadonlyArray<PropertyKey>) =>
  path.length === 0
    ? null
    : path
        .map((key, index) =>
          typeof key === "number" ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`
        )
        .join("")

const knownFields = Object.keys(BuildConfigFields.fields).join(", ")

/**
 * Decodes the default export of `file`. Fails with one `BuildConfigError` per invalid field, in
 * the order of the schema.
 */
export const decode = (
  file: string,
  value: unknown
): Effect.Effect<ResolvedBuildConfig, ReadonlyArray<BuildConfigError>> =>
  Effect.gen(function* () {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return yield* Effect.fail([
        new BuildConfigError({
          file,
          field: null,
          reason: `the default export must be an object with the fields ${knownFields}, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`
        })
      ])
    }
    const decoded = decodeFields(value)
    if (decoded._tag === "Left") {
      const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
      return yield* Effect.fail(
        issues.map(
          (issue) =>
            new BuildConfigError({
              file,
              field: fieldOf(issue.path),
              reason:
                issue._tag === "Unexpected"
                  ? `unknown field; the known fields are ${knownFields}`
                  : issue.message
            })
        )
      )
    }
    const config = decoded.right
    const problems: Array<BuildConfigError> = []
    if (config.library === true) {
      for (const field of ["targetImageName", "dockerfileExtra", "ciTestJobTemplate"] as const) {
        if (config[field] !== undefined) {
          problems.push(
            new BuildConfigError({
              file,
              field,
              reason:
                "a library package has no image of its own; remove this field or remove library: true"
            })
          )
        }
      }
    } else if (config.targetImageName === undefined) {
      problems.push(
        new BuildConfigError({
          file,
          field: "targetImageName",
          reason:
            'missing; name the image (such as "videoag-server"), or set library: true for a package that is only built into other images'
        })
      )
    }
    const dependencies = config.buildDependencies ?? []
    dependencies.forEach((dependency, index) => {
      if (dependencies.indexOf(dependency) !== index) {
        problems.push(
          new BuildConfigError({
            file,
            field: `buildDependencies[${index}]`,
            reason: `${JSON.stringify(dependency)} is listed twice`
          })
        )
      }
    })
    if (problems.length > 0) {
      return yield* Effect.fail(problems)
    }
    return {
      targetImageName: config.targetImageName ?? null,
      buildDependencies: dependencies,
      aptRuntimeDependencies: config.aptRuntimeDependencies ?? [],
      aptBuildDependencies: config.aptBuildDependencies ?? [],
      dockerfileExtra: config.dockerfileExtra ?? null,
      ciTestJobTemplate: config.ciTestJobTemplate ?? null
    }
  })
