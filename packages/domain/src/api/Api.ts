/**
 * The HTTP contract of the Video AG backend, served under `/api/v1`. The server implements it,
 * and tests and tools call it through `HttpApiClient`.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as OpenApi from "@effect/platform/OpenApi"
import {
  errorCodeTable,
  InternalError,
  NotFound,
  PayloadTooLarge,
  ServiceUnavailable,
  UnsupportedMediaType,
  ValidationError
} from "../ApiErrors.js"
import { AuthApi, UsersApi } from "./AuthApi.js"
import { AnnouncementsApi, ChaptersApi, FeaturedApi, MediaApi } from "./ContentApi.js"
import { CoursesApi } from "./CoursesApi.js"
import { FeedsApi } from "./FeedsApi.js"
import { JobsApi, SourceFilesApi } from "./JobsApi.js"
import { LecturesApi } from "./LecturesApi.js"
import { finishDocument } from "./OpenApiExamples.js"
import { ChangeLogApi, StatisticsApi } from "./ModerationApi.js"
import { SearchApi } from "./SearchApi.js"

export const apiPrefix = "/api/v1"

const description = `Lecture recordings of the Video AG.

Every error is JSON with a stable \`code\`, an English \`message\` and, for validation errors,
the \`field\`. Clients translate the code, never the message.

Moderators log in with \`POST /auth/login\`, which sets the session cookie \`videoag_session\`.
Every POST, PUT, PATCH and DELETE of a moderator endpoint must also send the header
\`X-VideoAG-CSRF: 1\` (any non-empty value); without it the request fails with 403
\`csrf_header_missing\`.

## Error codes

${errorCodeTable}`

export class VideoAgApi extends HttpApi.make("videoag")
  .add(CoursesApi)
  .add(LecturesApi)
  .add(ChaptersApi)
  .add(MediaApi)
  .add(SearchApi)
  .add(FeedsApi)
  .add(AnnouncementsApi)
  .add(FeaturedApi)
  .add(AuthApi)
  .add(UsersApi)
  .add(JobsApi)
  .add(SourceFilesApi)
  .add(StatisticsApi)
  .add(ChangeLogApi)
  .addError(ValidationError)
  .addError(NotFound)
  .addError(UnsupportedMediaType)
  .addError(PayloadTooLarge)
  .addError(ServiceUnavailable)
  .addError(InternalError)
  .prefix(apiPrefix)
  .annotate(OpenApi.Title, "Video AG API")
  .annotate(OpenApi.Version, "1")
  .annotate(OpenApi.Description, description)
  .annotate(OpenApi.Transform, (spec) => finishDocument(spec as never) as never) {}
