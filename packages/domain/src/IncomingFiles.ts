/**
 * The sorter's view for moderators: files in the incoming folder that could not be matched to
 * a lecture (with the reason, for assigning them by hand) and files still being copied.
 */
import * as Schema from "effect/Schema"
import { LectureId, SourceFileId } from "./Ids.js"
import { StrictStruct } from "./Text.js"

/** Reason the sorter could not attach a file, as a code the frontend translates. */
export const UnmatchedReason = Schema.Literal(
  "unsupported_extension",
  "name_not_recognized",
  "invalid_date",
  "course_not_found",
  "no_lecture_near_time",
  "ambiguous_lecture",
  "lecture_has_source_file"
).annotations({
  description:
    "`unsupported_extension`: not a video or audio file type; `name_not_recognized`: the name " +
    "does not follow `<course handle>_<YYYY-MM-DD>_<HH-MM>[_<anything>].<extension>`; " +
    "`invalid_date`: the date or time in the name does not exist; `course_not_found`: no " +
    "course has the handle; `no_lecture_near_time`: the course has no lecture within the " +
    "tolerance of that time; `ambiguous_lecture`: two lectures are equally close; " +
    "`lecture_has_source_file`: the lecture already has a recording (a duplicate or a second part)."
})
export type UnmatchedReason = typeof UnmatchedReason.Type

/** A source file found by the sorter that no lecture could be matched to. */
export class UnassignedSourceFile extends Schema.Class<UnassignedSourceFile>(
  "UnassignedSourceFile"
)({
  id: SourceFileId,
  path: Schema.String,
  sizeBytes: Schema.NullOr(Schema.Int),
  modifiedAt: Schema.NullOr(Schema.Date),
  reason: Schema.NullOr(UnmatchedReason),
  /** English explanation of the reason, naming the values involved. */
  message: Schema.NullOr(Schema.String),
  /** When the sorter first saw the file; null for a file recorded another way. */
  firstSeenAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date
}) {}

/** A file in the incoming folder whose size or modification time still changes. */
export class WaitingIncomingFile extends Schema.Class<WaitingIncomingFile>("WaitingIncomingFile")({
  path: Schema.String,
  sizeBytes: Schema.Int,
  modifiedAt: Schema.Date,
  firstSeenAt: Schema.Date,
  /** Scan at which the size or modification time last changed. */
  changedAt: Schema.Date
}) {}

/** Payload that assigns an unassigned source file to a lecture. */
export const AssignSourceFile = StrictStruct({
  lectureId: LectureId
}).annotations({ identifier: "AssignSourceFile", examples: [{ lectureId: LectureId.make(88) }] })
export type AssignSourceFile = typeof AssignSourceFile.Type
