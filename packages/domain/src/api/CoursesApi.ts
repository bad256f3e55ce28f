import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import * as Schema from "effect/Schema"
import { AccessRules, EnterPassword, PasswordGrant, SetAccessRules } from "../Access.js"
import { Conflict, Forbidden, NotFound, TooManyRequests } from "../ApiErrors.js"
import {
  Course,
  CourseDetail,
  CourseHandle,
  CourseListQuery,
  CreateCourse,
  SemesterCourses,
  UpdateCourse
} from "../Course.js"
import { CreateLecture, Lecture } from "../Lecture.js"
import { Authentication, ViewerContext } from "./Authentication.js"

const handle = HttpApiSchema.param("handle", CourseHandle)

export class CoursesApi extends HttpApiGroup.make("courses")
  .add(
    HttpApiEndpoint.get("list", "/courses")
      .setUrlParams(CourseListQuery)
      .addSuccess(Schema.Array(Course))
      .annotate(OpenApi.Summary, "List visible and listed courses")
      .annotate(
        OpenApi.Description,
        "Newest semester first. Unlisted courses are reachable by handle but absent here; " +
          "moderators see hidden courses too and may ask for `listed=false`."
      )
  )
  .add(
    HttpApiEndpoint.get("semesters", "/semesters")
      .addSuccess(Schema.Array(SemesterCourses))
      .annotate(OpenApi.Summary, "Semesters, newest first, each with its listed courses")
  )
  .add(
    HttpApiEndpoint.get("get")`/courses/${handle}`
      .addSuccess(CourseDetail)
      .addError(NotFound)
      .annotate(
        OpenApi.Summary,
        "A course with its visible lectures and the media the caller may watch"
      )
      .annotate(
        OpenApi.Description,
        "A hidden course answers 404 `course_not_found` to everyone but moderators. Each " +
          "lecture's `access` says whether its media are open to the caller and which rule " +
          "would open them."
      )
  )
  .add(
    HttpApiEndpoint.post("enterPassword")`/courses/${handle}/password`
      .setPayload(EnterPassword)
      .addSuccess(PasswordGrant)
      .addError(NotFound)
      .addError(Forbidden)
      .addError(Conflict)
      .addError(TooManyRequests)
      .annotate(OpenApi.Summary, "Unlock a password-protected course")
      .annotate(
        OpenApi.Description,
        "On the right password the response sets the signed, expiring cookie `videoag_grants`, " +
          "which opens every lecture of the course that inherits the course's password rule. " +
          "Attempts are rate-limited per client address."
      )
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
    HttpApiEndpoint.patch("update")`/courses/${handle}`
      .setPayload(UpdateCourse)
      .addSuccess(Course)
      .addError(NotFound)
      .addError(Conflict)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Change fields of a course (moderators)")
      .annotate(
        OpenApi.Description,
        "Hiding or showing the course moves its published files between the public and the " +
          "protected folder of the file provider (a `media.relocate` job)."
      )
  )
  .add(
    HttpApiEndpoint.del("delete")`/courses/${handle}`
      .addSuccess(HttpApiSchema.NoContent)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Delete a course (moderators)")
      .annotate(
        OpenApi.Description,
        "A soft delete: the course and its lectures disappear for everyone, the change log " +
          "keeps them, and their published files move to the protected folder."
      )
  )
  .add(
    HttpApiEndpoint.post("createLecture")`/courses/${handle}/lectures`
      .setPayload(CreateLecture)
      .addSuccess(Lecture, { status: 201 })
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Add a lecture date to a course (moderators)")
  )
  .add(
    HttpApiEndpoint.get("getAccessRules")`/courses/${handle}/access-rules`
      .addSuccess(AccessRules)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "The access rules set on a course (moderators)")
  )
  .add(
    HttpApiEndpoint.put("setAccessRules")`/courses/${handle}/access-rules`
      .setPayload(SetAccessRules)
      .addSuccess(AccessRules)
      .addError(NotFound)
      .middleware(Authentication)
      .annotate(OpenApi.Summary, "Replace the access rules of a course (moderators)")
      .annotate(
        OpenApi.Description,
        "An empty list makes the course public. A caller may watch when it satisfies any one " +
          "rule. Lectures with rules of their own keep them. A `password` rule without " +
          "`password` keeps the current password (400 `password_required` if there is none)."
      )
  )
  .middleware(ViewerContext) {}
