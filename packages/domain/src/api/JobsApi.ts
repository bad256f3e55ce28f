import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { Conflict, NotFound } from "../ApiErrors.js"
import { AssignSourceFile, UnassignedSourceFile, WaitingIncomingFile } from "../IncomingFiles.js"
import { JobIdFromString, SourceFileIdFromString } from "../Ids.js"
import { EnqueueJob, Job, JobListQuery, JobPage, UpdateJob } from "../Job.js"
import {
  AttachedSourceFile,
  PublishedFileProblem,
  SourceFile,
  SourceFileListQuery,
  SourceFilePage
} from "../SourceFile.js"
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
    HttpApiEndpoint.get("unassigned", "/source-files/unassigned")
      .addSuccess(Schema.Array(UnassignedSourceFile))
      .annotate(OpenApi.Summary, "Recordings the sorter could not match to a lecture (moderators)")
      .annotate(
        OpenApi.Description,
        "Each with the reason as a code (`reason`) and an English explanation; assign them with " +
          "`POST /source-files/{id}/assign`."
      )
  )
  .add(
    HttpApiEndpoint.get("waiting", "/source-files/waiting")
      .addSuccess(Schema.Array(WaitingIncomingFile))
      .annotate(OpenApi.Summary, "Files in the incoming folder still being copied (moderators)")
  )
  .add(
    HttpApiEndpoint.post(
      "assign"
    )`/source-files/${HttpApiSchema.param("id", SourceFileIdFromString)}/assign`
      .setPayload(AssignSourceFile)
      .addSuccess(AttachedSourceFile, { status: 202 })
      .addError(NotFound)
      .addError(Conflict)
      .annotate(OpenApi.Summary, "Assign an unassigned recording to a lecture (moderators)")
      .annotate(
        OpenApi.Description,
        "Attaches the file and enqueues its probe in one transaction. A file that already has a " +
          "lecture answers 409 `source_file_already_attached`."
      )
  )
  .add(
    HttpApiEndpoint.get("fileProblems", "/published-file-problems")
      .addSuccess(Schema.Array(PublishedFileProblem))
      .annotate(
        OpenApi.Summary,
        "Published files the last housekeeping check found missing, damaged or unreferenced"
      )
  )
  .add(
    HttpApiEndpoint.get("get")`/source-files/${HttpApiSchema.param("id", SourceFileIdFromString)}`
      .addSuccess(SourceFile)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "A raw recording with its probe result (moderators)")
  )
  .middleware(Authentication) {}
