/**
 * Announcements: short notices on the website, shown between `visibleFrom` and `visibleUntil`.
 */
import * as Schema from "effect/Schema"
import { AnnouncementId } from "./Ids.js"
import { InstantFromString, Paragraphs, StrictStruct } from "./Text.js"

export const AnnouncementLevel = Schema.Literal("info", "warning", "important")

export class Announcement extends Schema.Class<Announcement>("Announcement")({
  id: AnnouncementId,
  text: Schema.String,
  level: AnnouncementLevel,
  visibleFrom: Schema.NullOr(Schema.Date),
  visibleUntil: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
  updatedAt: Schema.Date
}) {}

const AnnouncementText = Paragraphs(5_000).pipe(
  Schema.filter((text) => text.trim() !== "" || "Expected a non-empty text")
)

const validWindow = <
  T extends {
    readonly visibleFrom?: Date | null | undefined
    readonly visibleUntil?: Date | null | undefined
  }
>(
  value: T
) =>
  value.visibleFrom == null ||
  value.visibleUntil == null ||
  value.visibleUntil > value.visibleFrom ||
  "Expected visibleUntil after visibleFrom"

export const CreateAnnouncement = StrictStruct({
  text: AnnouncementText,
  level: Schema.optionalWith(AnnouncementLevel, { default: () => "info" as const }),
  visibleFrom: Schema.optionalWith(Schema.NullOr(InstantFromString), { default: () => null }),
  visibleUntil: Schema.optionalWith(Schema.NullOr(InstantFromString), { default: () => null })
})
  .pipe(Schema.filter(validWindow))
  .annotations({
    identifier: "CreateAnnouncement",
    examples: [
      {
        text: "Die Aufzeichnungen vom 14.10. erscheinen wegen eines Tonproblems später.",
        level: "warning",
        visibleFrom: null,
        visibleUntil: new Date("2026-10-21T00:00:00Z")
      }
    ]
  })
export type CreateAnnouncement = typeof CreateAnnouncement.Type

export const UpdateAnnouncement = StrictStruct({
  text: Schema.optional(AnnouncementText),
  level: Schema.optional(AnnouncementLevel),
  visibleFrom: Schema.optional(Schema.NullOr(InstantFromString)),
  visibleUntil: Schema.optional(Schema.NullOr(InstantFromString))
})
  .pipe(Schema.filter(validWindow))
  .annotations({ identifier: "UpdateAnnouncement", examples: [{ level: "important" }] })
export type UpdateAnnouncement = typeof UpdateAnnouncement.Type
