/**
 * What moderators read about the system's history: view statistics and the change log.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { NotFound } from "../ApiErrors.js"
import { ChangeLogPage, ChangeLogQuery } from "../ChangeLog.js"
import { CourseHandle } from "../Course.js"
import { LectureIdFromString, MediumIdFromString } from "../Ids.js"
import { StatisticsQuery, ViewStatistics } from "../Statistics.js"
import { Authentication } from "./Authentication.js"

export class StatisticsApi extends HttpApiGroup.make("statistics")
  .add(
    HttpApiEndpoint.get(
      "medium"
    )`/statistics/media/${HttpApiSchema.param("id", MediumIdFromString)}`
      .setUrlParams(StatisticsQuery)
      .addSuccess(ViewStatistics)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "Views per day of a medium (moderators)")
  )
  .add(
    HttpApiEndpoint.get(
      "lecture"
    )`/statistics/lectures/${HttpApiSchema.param("id", LectureIdFromString)}`
      .setUrlParams(StatisticsQuery)
      .addSuccess(ViewStatistics)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "Views per day of all media of a lecture (moderators)")
  )
  .add(
    HttpApiEndpoint.get(
      "course"
    )`/statistics/courses/${HttpApiSchema.param("handle", CourseHandle)}`
      .setUrlParams(StatisticsQuery)
      .addSuccess(ViewStatistics)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "Views per day of all media of a course (moderators)")
  )
  .middleware(Authentication) {}

export class ChangeLogApi extends HttpApiGroup.make("changeLog")
  .add(
    HttpApiEndpoint.get("list", "/change-log")
      .setUrlParams(ChangeLogQuery)
      .addSuccess(ChangeLogPage)
      .annotate(OpenApi.Summary, "The change log, newest first, globally or for one object")
      .annotate(
        OpenApi.Description,
        "Give `objectType` and `objectId` for the history of one object. Every moderator write " +
          "appears here with the old and new value of each changed field."
      )
  )
  .middleware(Authentication) {}
