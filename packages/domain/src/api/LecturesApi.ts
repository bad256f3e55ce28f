import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { Conflict, NotFound, ServiceUnavailable, SourcePathRejected } from "../ApiErrors.js"
import { LectureIdFromString } from "../Ids.js"
import { LectureDetail } from "../Lecture.js"
import { AttachedSourceFile, AttachSourceFile } from "../SourceFile.js"
import { Authentication } from "./Authentication.js"

const lectureId = HttpApiSchema.param("id", LectureIdFromString)

export class LecturesApi extends HttpApiGroup.make("lectures")
  .add(
    HttpApiEndpoint.get("get")`/lectures/${lectureId}`
      .addSuccess(LectureDetail)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "A visible lecture with its visible media")
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
  ) {}
