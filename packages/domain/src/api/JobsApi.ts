import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { Conflict, NotFound } from "../ApiErrors.js"
import { JobIdFromString, SourceFileIdFromString } from "../Ids.js"
import { EnqueueJob, Job, JobListQuery, JobPage, UpdateJob } from "../Job.js"
import { SourceFile, SourceFileListQuery, SourceFilePage } from "../SourceFile.js"
import { Authentication } from "./Authentication.js"

const jobId = HttpApiSchema.param("id", JobIdFromString)

export class JobsApi extends HttpApiGroup.make("jobs")
  .add(
    HttpApiEndpoint.get("get")`/jobs/${jobId}`
      .addSuccess(Job)
      .addError(NotFound)
      .annotate(
        OpenApi.Summary,
        "A job with its status, attempts, progress, log tail and output or error (moderators)"
      )
  )
  .add(
    HttpApiEndpoint.get("list", "/jobs")
      .setUrlParams(JobListQuery)
      .addSuccess(JobPage)
      .annotate(OpenApi.Summary, "Jobs, newest first, filtered by status, type or source file")
  )
  .add(
    HttpApiEndpoint.post("enqueue", "/jobs")
      .setPayload(EnqueueJob)
      .addSuccess(Job, { status: 201 })
      .annotate(OpenApi.Summary, "Enqueue a job of a known type (moderators)")
      .annotate(
        OpenApi.Description,
        "The input is validated against the job type's schema; a bad input is rejected with 400 " +
          "`invalid_request` naming the field under `input`."
      )
  )
  .add(
    HttpApiEndpoint.post("retry")`/jobs/${jobId}/retry`
      .addSuccess(Job)
      .addError(NotFound)
      .addError(Conflict)
      .annotate(OpenApi.Summary, "Queue a failed or cancelled job again with fresh attempts")
  )
  .add(
    HttpApiEndpoint.post("cancel")`/jobs/${jobId}/cancel`
      .addSuccess(Job)
      .addError(NotFound)
      .addError(Conflict)
      .annotate(OpenApi.Summary, "Cancel a job that has not finished")
      .annotate(
        OpenApi.Description,
        "A cancelled job is never claimed again, and the outcome of an attempt still running is " +
          "discarded when it ends."
      )
  )
  .add(
    HttpApiEndpoint.patch("update")`/jobs/${jobId}`
      .setPayload(UpdateJob)
      .addSuccess(Job)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "Change the priority of a job")
  )
  .middleware(Authentication) {}

export class SourceFilesApi extends HttpApiGroup.make("sourceFiles")
  .add(
    HttpApiEndpoint.get("list", "/source-files")
      .setUrlParams(SourceFileListQuery)
      .addSuccess(SourceFilePage)
      .annotate(OpenApi.Summary, "Raw recordings known to the system, newest first (moderators)")
  )
  .add(
    HttpApiEndpoint.get("get")`/source-files/${HttpApiSchema.param("id", SourceFileIdFromString)}`
      .addSuccess(SourceFile)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "A raw recording with its probe result (moderators)")
  )
  .middleware(Authentication) {}
