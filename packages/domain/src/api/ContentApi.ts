/**
 * Chapters, media, announcements and featured entries: the smaller objects around lectures.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { Announcement, CreateAnnouncement, UpdateAnnouncement } from "../Announcement.js"
import { Forbidden, NotFound } from "../ApiErrors.js"
import { Chapter, UpdateChapter } from "../Chapter.js"
import { CreateFeatured, Featured, ReorderFeatured, UpdateFeatured } from "../Featured.js"
import {
  AnnouncementIdFromString,
  ChapterIdFromString,
  FeaturedIdFromString,
  MediumIdFromString
} from "../Ids.js"
import { Medium, UpdateMedium } from "../Medium.js"
import { BooleanFromQuery } from "../Text.js"
import { Authentication, ViewerContext } from "./Authentication.js"

const chapterId = HttpApiSchema.param("id", ChapterIdFromString)
const mediumId = HttpApiSchema.param("id", MediumIdFromString)
const announcementId = HttpApiSchema.param("id", AnnouncementIdFromString)
const featuredId = HttpApiSchema.param("id", FeaturedIdFromString)

const AllQuery = Schema.Struct({
  all: Schema.optional(BooleanFromQuery).annotations({
    description: "Moderators only: `true` includes hidden, expired and future entries"
  })
})

export class ChaptersApi extends HttpApiGroup.make("chapters")
  .add(
    HttpApiEndpoint.patch("update")`/chapters/${chapterId}`
      .setPayload(UpdateChapter)
      .addSuccess(Chapter)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "Change a chapter (moderators)")
  )
  .add(
    HttpApiEndpoint.post("approve")`/chapters/${chapterId}/approve`
      .addSuccess(Chapter)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "Approve a suggested chapter, making it visible (moderators)")
  )
  .add(
    HttpApiEndpoint.post("reject")`/chapters/${chapterId}/reject`
      .addSuccess(HttpApiSchema.NoContent)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "Reject a suggested chapter, deleting it (moderators)")
  )
  .add(
    HttpApiEndpoint.del("delete")`/chapters/${chapterId}`
      .addSuccess(HttpApiSchema.NoContent)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "Delete a chapter (moderators)")
  )
  .middleware(Authentication) {}

export class MediaApi extends HttpApiGroup.make("media")
  .add(
    HttpApiEndpoint.post("countView")`/media/${mediumId}/views`
      .addSuccess(HttpApiSchema.NoContent)
      .addError(NotFound)
      .addError(Forbidden)
      .middleware(ViewerContext)
      .annotate(OpenApi.Summary, "Count a view of a medium")
      .annotate(
        OpenApi.Description,
        "Counts at most one view per viewer, medium and day. Viewers are distinguished by a keyed " +
          "hash of client address and user agent whose key is replaced every day; no address is " +
          "stored."
      )
  )
  .add(
    HttpApiEndpoint.patch("update")`/media/${mediumId}`
      .setPayload(UpdateMedium)
      .addSuccess(Medium)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Publish or hide a medium (moderators)")
      .annotate(
        OpenApi.Description,
        "A hidden medium disappears for viewers, and its file moves to the protected folder."
      )
  ) {}

export class AnnouncementsApi extends HttpApiGroup.make("announcements")
  .add(
    HttpApiEndpoint.get("list", "/announcements")
      .setUrlParams(AllQuery)
      .addSuccess(Schema.Array(Announcement))
      .middleware(ViewerContext)
      .annotate(OpenApi.Summary, "Announcements visible now, most important first")
  )
  .add(
    HttpApiEndpoint.post("create", "/announcements")
      .setPayload(CreateAnnouncement)
      .addSuccess(Announcement, { status: 201 })
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Post an announcement (moderators)")
  )
  .add(
    HttpApiEndpoint.patch("update")`/announcements/${announcementId}`
      .setPayload(UpdateAnnouncement)
      .addSuccess(Announcement)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Change an announcement (moderators)")
  )
  .add(
    HttpApiEndpoint.del("delete")`/announcements/${announcementId}`
      .addSuccess(HttpApiSchema.NoContent)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Delete an announcement (moderators)")
  ) {}

export class FeaturedApi extends HttpApiGroup.make("featured")
  .add(
    HttpApiEndpoint.get("list", "/featured")
      .setUrlParams(AllQuery)
      .addSuccess(Schema.Array(Featured))
      .middleware(ViewerContext)
      .annotate(OpenApi.Summary, "The home page's featured entries in order")
      .annotate(
        OpenApi.Description,
        "Entries pointing to a hidden, deleted or unlisted course or lecture are left out for viewers."
      )
  )
  .add(
    HttpApiEndpoint.post("create", "/featured")
      .setPayload(CreateFeatured)
      .addSuccess(Featured, { status: 201 })
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Add a featured entry at the end (moderators)")
  )
  .add(
    HttpApiEndpoint.put("reorder", "/featured/order")
      .setPayload(ReorderFeatured)
      .addSuccess(Schema.Array(Featured))
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Put the featured entries in a new order (moderators)")
      .annotate(OpenApi.Description, "`ids` must list every entry exactly once.")
  )
  .add(
    HttpApiEndpoint.patch("update")`/featured/${featuredId}`
      .setPayload(UpdateFeatured)
      .addSuccess(Featured)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Change a featured entry (moderators)")
  )
  .add(
    HttpApiEndpoint.del("delete")`/featured/${featuredId}`
      .addSuccess(HttpApiSchema.NoContent)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Remove a featured entry (moderators)")
  ) {}
