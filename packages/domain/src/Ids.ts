/**
 * Branded identifiers of the stored entities. Database ids are positive integers; in URL paths
 * they arrive as strings, so each id has a `FromString` variant for path parameters.
 */
import * as Schema from "effect/Schema"

const positiveId = <const Brand extends string>(brand: Brand) =>
  Schema.Int.pipe(Schema.positive(), Schema.brand(brand))

const idFromString = <A extends number>(id: Schema.Schema<A, number>) =>
  Schema.transform(
    Schema.String.pipe(
      Schema.pattern(/^[1-9][0-9]{0,14}$/, {
        message: (issue) => `Expected a positive integer id, got ${JSON.stringify(issue.actual)}`
      })
    ),
    id,
    { strict: true, decode: (digits) => Number(digits), encode: (value) => String(value) }
  )

export const UserId = positiveId("UserId")
export type UserId = typeof UserId.Type
export const UserIdFromString = idFromString(UserId)

export const CourseId = positiveId("CourseId")
export type CourseId = typeof CourseId.Type

export const LectureId = positiveId("LectureId")
export type LectureId = typeof LectureId.Type
export const LectureIdFromString = idFromString(LectureId)

export const SourceFileId = positiveId("SourceFileId")
export type SourceFileId = typeof SourceFileId.Type
export const SourceFileIdFromString = idFromString(SourceFileId)

export const MediumId = positiveId("MediumId")
export type MediumId = typeof MediumId.Type
export const MediumIdFromString = idFromString(MediumId)

export const JobId = positiveId("JobId")
export type JobId = typeof JobId.Type
export const JobIdFromString = idFromString(JobId)

export const ChapterId = positiveId("ChapterId")
export type ChapterId = typeof ChapterId.Type
export const ChapterIdFromString = idFromString(ChapterId)

export const AnnouncementId = positiveId("AnnouncementId")
export type AnnouncementId = typeof AnnouncementId.Type
export const AnnouncementIdFromString = idFromString(AnnouncementId)

export const FeaturedId = positiveId("FeaturedId")
export type FeaturedId = typeof FeaturedId.Type
export const FeaturedIdFromString = idFromString(FeaturedId)

export const JobScheduleId = positiveId("JobScheduleId")
export type JobScheduleId = typeof JobScheduleId.Type
