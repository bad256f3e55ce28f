import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { NotFound } from "../ApiErrors.js"
import { JobIdFromString } from "../Ids.js"
import { Job } from "../Job.js"
import { Authentication } from "./Authentication.js"

export class JobsApi extends HttpApiGroup.make("jobs").add(
  HttpApiEndpoint.get("get")`/jobs/${HttpApiSchema.param("id", JobIdFromString)}`
    .addSuccess(Job)
    .addError(NotFound)
    .middleware(Authentication)
    .annotate(
      OpenApi.Summary,
      "A job with its status, attempts, progress and output or error (moderators)"
    )
) {}
