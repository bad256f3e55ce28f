/**
 * The HTTP contract of the Video AG backend, served under `/api/v1`. The server implements it,
 * and tests and tools call it through `HttpApiClient`.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as OpenApi from "@effect/platform/OpenApi"
import { InternalError, NotFound, ServiceUnavailable, ValidationError } from "../ApiErrors.js"
import { AuthApi } from "./AuthApi.js"
import { CoursesApi } from "./CoursesApi.js"
import { JobsApi } from "./JobsApi.js"
import { LecturesApi } from "./LecturesApi.js"

export const apiPrefix = "/api/v1"

export class VideoAgApi extends HttpApi.make("videoag")
  .add(CoursesApi)
  .add(LecturesApi)
  .add(AuthApi)
  .add(JobsApi)
  .addError(ValidationError)
  .addError(NotFound)
  .addError(ServiceUnavailable)
  .addError(InternalError)
  .prefix(apiPrefix)
  .annotate(OpenApi.Title, "Video AG API")
  .annotate(OpenApi.Version, "1")
  .annotate(
    OpenApi.Description,
    "Lecture recordings of the Video AG. Every error is JSON with a stable `code`, a `message` " +
      "and, for validation errors, the `field`."
  ) {}
