/**
 * Source files: raw recordings in the media root that the system knows about.
 */
import * as Schema from "effect/Schema"
import { Job } from "./Job.js"
import { LectureId, SourceFileId } from "./Ids.js"
import { MediaProbeOutput } from "./JobTypes.js"
import { BooleanFromQuery, IntFromQuery, PageQuery, StrictStruct } from "./Text.js"

/**
 * `pending`: recorded, processing not started; `processing`: probe or transcode running;
 * `processed`: media published; `failed`: processing failed for good.
 */
export const SourceFileState = Schema.Literal("pending", "processing", "processed", "failed")
export type SourceFileState = typeof SourceFileState.Type

export class SourceFile extends Schema.Class<SourceFile>("SourceFile")({
  id: SourceFileId,
  path: Schema.String,
  sizeBytes: Schema.NullOr(Schema.Int),
  modifiedAt: Schema.NullOr(Schema.Date),
  lectureId: Schema.NullOr(LectureId),
  state: SourceFileState,
  probe: Schema.NullOr(MediaProbeOutput),
  createdAt: Schema.Date,
  updatedAt: Schema.Date
}) {}

export const AttachSourceFile = StrictStruct({
  path: Schema.String.pipe(
    Schema.maxLength(1024, { message: () => "Expected a path of at most 1024 characters" })
  ).annotations({
    description:
      "Path of the raw recording relative to the media root, e.g. `lectures/analysis-1.mp4`"
  })
}).annotations({
  identifier: "AttachSourceFile",
  examples: [{ path: "incoming/ana1-2026-10-14.mp4" }]
})

/** The recorded source file and the job that processes it. */
export class AttachedSourceFile extends Schema.Class<AttachedSourceFile>("AttachedSourceFile")({
  sourceFile: SourceFile,
  job: Job
}) {}

/** A published file that housekeeping found missing or wrong, or that no record names. */
export class PublishedFileProblem extends Schema.Class<PublishedFileProblem>(
  "PublishedFileProblem"
)({
  path: Schema.String,
  kind: Schema.Literal("missing", "size_mismatch", "incomplete", "unreferenced"),
  mediumId: Schema.NullOr(Schema.Int),
  thumbnailId: Schema.NullOr(Schema.Int),
  expectedSizeBytes: Schema.NullOr(Schema.Int),
  actualSizeBytes: Schema.NullOr(Schema.Int),
  message: Schema.String,
  firstSeenAt: Schema.Date,
  lastSeenAt: Schema.Date
}) {}

export const SourceFileListQuery = Schema.Struct({
  state: Schema.optional(SourceFileState),
  lectureId: Schema.optional(IntFromQuery(1, Number.MAX_SAFE_INTEGER)),
  unassigned: Schema.optional(BooleanFromQuery).annotations({
    description: "`true` lists only files not attached to a lecture"
  }),
  ...PageQuery
})

export class SourceFilePage extends Schema.Class<SourceFilePage>("SourceFilePage")({
  items: Schema.Array(SourceFile),
  total: Schema.Int,
  limit: Schema.Int,
  offset: Schema.Int
}) {}
