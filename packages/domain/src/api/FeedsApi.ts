/**
 * Per-course feeds for podcast apps, feed readers and calendars. They answer with XML or
 * iCalendar text instead of JSON; their errors are JSON like everywhere else.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { NotFound } from "../ApiErrors.js"
import { CourseHandle } from "../Course.js"
import { MediaProfile } from "../Medium.js"
import { ViewerContext } from "./Authentication.js"

const handle = HttpApiSchema.param("handle", CourseHandle)

export const rssContentType = "application/rss+xml; charset=utf-8"
export const atomContentType = "application/atom+xml; charset=utf-8"
export const calendarContentType = "text/calendar; charset=utf-8"

export class FeedsApi extends HttpApiGroup.make("feeds")
  .add(
    HttpApiEndpoint.get("rss")`/courses/${handle}/feed.rss`
      .setUrlParams(
        Schema.Struct({
          profile: Schema.optional(MediaProfile).annotations({
            description:
              "Rendition of the enclosures, e.g. `720p` or `audio`; the highest by default"
          })
        })
      )
      .addSuccess(HttpApiSchema.Text({ contentType: rssContentType }))
      .addError(NotFound)
      .annotate(OpenApi.Summary, "RSS 2.0 podcast feed of a course, one per profile")
      .annotate(
        OpenApi.Description,
        "One item per visible lecture whose media of the profile the caller may watch, with the " +
          "file as enclosure. Protected media get signed URLs that expire."
      )
  )
  .add(
    HttpApiEndpoint.get("atom")`/courses/${handle}/feed.atom`
      .addSuccess(HttpApiSchema.Text({ contentType: atomContentType }))
      .addError(NotFound)
      .annotate(OpenApi.Summary, "Atom feed of a course's recorded lectures")
  )
  .add(
    HttpApiEndpoint.get("calendar")`/courses/${handle}/calendar.ics`
      .addSuccess(HttpApiSchema.Text({ contentType: calendarContentType }))
      .addError(NotFound)
      .annotate(OpenApi.Summary, "iCalendar of a course's visible lecture dates")
  )
  .middleware(ViewerContext) {}
