import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { Conflict, NotFound } from "../ApiErrors.js"
import { Course, CourseDetail, CourseHandle, CreateCourse } from "../Course.js"
import { CreateLecture, Lecture } from "../Lecture.js"
import { Authentication } from "./Authentication.js"

const handle = HttpApiSchema.param("handle", CourseHandle)

export class CoursesApi extends HttpApiGroup.make("courses")
  .add(
    HttpApiEndpoint.get("list", "/courses")
      .addSuccess(Schema.Array(Course))
      .annotate(OpenApi.Summary, "List visible and listed courses")
  )
  .add(
    HttpApiEndpoint.get("get")`/courses/${handle}`
      .addSuccess(CourseDetail)
      .addError(NotFound)
      .annotate(OpenApi.Summary, "A course with its visible lectures and their visible media")
  )
  .add(
    HttpApiEndpoint.post("create", "/courses")
      .setPayload(CreateCourse)
      .addSuccess(Course, { status: 201 })
      .addError(Conflict)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Create a course (moderators)")
  )
  .add(
    HttpApiEndpoint.post("createLecture")`/courses/${handle}/lectures`
      .setPayload(CreateLecture)
      .addSuccess(Lecture, { status: 201 })
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Add a lecture date to a course (moderators)")
  ) {}
