import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { AccessRules, EnterPassword, PasswordGrant, SetAccessRules } from "../Access.js"
import {
  Conflict,
  Forbidden,
  NotFound,
  ServiceUnavailable,
  SourcePathRejected,
  TooManyRequests
} from "../ApiErrors.js"
import { Chapter, CreateChapter, SuggestChapter } from "../Chapter.js"
import { LectureIdFromString } from "../Ids.js"
import { Lecture, LectureDetail, UpdateLecture } from "../Lecture.js"
import { AttachedSourceFile, AttachSourceFile } from "../SourceFile.js"
import { Authentication, ViewerContext } from "./Authentication.js"

const lectureId = HttpApiSchema.param("id", LectureIdFromString)

export class LecturesApi extends HttpApiGroup.make("lectures")
  .add(
    HttpApiEndpoint.get("get")`/lectures/${lectureId}`
      .addSuccess(LectureDetail)
      .addError(NotFound)
      .annotate(
        OpenApi.Summary,
        "A visible lecture with its chapters and the media the caller may watch"
      )
      .annotate(
        OpenApi.Description,
        "A hidden lecture, or one of a hidden course, answers 404 `lecture_not_found` to " +
          "everyone but moderators. A protected lecture shows its metadata; its `media` stay " +
          "empty until `access.granted`, and `access.rules` says what would open them."
      )
  )
  .add(
    HttpApiEndpoint.post("enterPassword")`/lectures/${lectureId}/password`
      .setPayload(EnterPassword)
      .addSuccess(PasswordGrant)
      .addError(NotFound)
      .addError(Forbidden)
      .addError(Conflict)
      .addError(TooManyRequests)
      .annotate(OpenApi.Summary, "Unlock a lecture with its own password")
      .annotate(
        OpenApi.Description,
        "For a lecture that inherits its course's password rule this checks the course password. " +
          "The grant is stored in the signed, expiring cookie `videoag_grants`."
      )
  )
  .add(
    HttpApiEndpoint.post("suggestChapter")`/lectures/${lectureId}/chapter-suggestions`
      .setPayload(SuggestChapter)
      .addSuccess(Chapter, { status: 202 })
      .addError(NotFound)
      .addError(Forbidden)
      .addError(TooManyRequests)
      .annotate(OpenApi.Summary, "Suggest a chapter for a lecture the caller may watch")
      .annotate(
        OpenApi.Description,
        "The suggestion is stored hidden until a moderator approves it. Suggestions are " +
          "rate-limited per client address."
      )
  )
  .add(
    HttpApiEndpoint.patch("update")`/lectures/${lectureId}`
      .setPayload(UpdateLecture)
      .addSuccess(Lecture)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Change fields of a lecture (moderators)")
  )
  .add(
    HttpApiEndpoint.del("delete")`/lectures/${lectureId}`
      .addSuccess(HttpApiSchema.NoContent)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Delete a lecture (moderators; soft, kept in the change log)")
  )
  .add(
    HttpApiEndpoint.get("listChapters")`/lectures/${lectureId}/chapters`
      .addSuccess(Schema.Array(Chapter))
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "All chapters of a lecture with open suggestions (moderators)")
  )
  .add(
    HttpApiEndpoint.post("createChapter")`/lectures/${lectureId}/chapters`
      .setPayload(CreateChapter)
      .addSuccess(Chapter, { status: 201 })
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Add a chapter to a lecture (moderators)")
  )
  .add(
    HttpApiEndpoint.get("getAccessRules")`/lectures/${lectureId}/access-rules`
      .addSuccess(AccessRules)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "The access rules set on a lecture itself (moderators)")
  )
  .add(
    HttpApiEndpoint.put("setAccessRules")`/lectures/${lectureId}/access-rules`
      .setPayload(SetAccessRules)
      .addSuccess(AccessRules)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Replace the access rules of a lecture (moderators)")
      .annotate(
        OpenApi.Description,
        "Rules on a lecture replace its course's rules; an empty list makes the lecture inherit " +
          "them again. Its published files move to the folder the new rules demand."
      )
  )
  .add(
    HttpApiEndpoint.post("attachSourceFile")`/lectures/${lectureId}/source-files`
      .setPayload(AttachSourceFile)
      .addSuccess(AttachedSourceFile, { status: 202 })
      .addError(NotFound)
      .addError(SourcePathRejected)
      .addError(Conflict)
      .addError(ServiceUnavailable)
      .middleware(Authentication)
      .annotate(
        OpenApi.Summary,
        "Attach a raw recording to a lecture and start its processing (moderators)"
      )
      .annotate(
        OpenApi.Description,
        "Records the file at `path` (relative to the media root) and enqueues a `media.probe` job; " +
          "when the probe succeeds the orchestrator enqueues the transcode, and its outputs become " +
          "the lecture's media. Poll `GET /jobs/{id}` for progress."
      )
  )
  .middleware(ViewerContext) {}
