/**
 * Finishes the generated OpenAPI document. Every response gets an example: success bodies from
 * the examples below, errors from the error-code catalogue. The framework's own
 * `HttpApiDecodeError` is replaced by `ValidationError`, because the server sends that for a
 * request that does not match its schema.
 */
import { errorCodeCatalogue, type ErrorCode } from "../ApiErrors.js"

const instant = "2026-10-14T08:30:00.000Z"

const course = {
  id: 12,
  handle: "ana1-2026ws",
  semester: "2026ws",
  title: "Analysis I",
  shortTitle: "Ana I",
  organizer: "Prof. Dr. Beispiel",
  topic: "Mathematik",
  description: "Grundvorlesung Analysis für Studierende der Mathematik und Physik.",
  language: "de",
  visible: true,
  listed: true,
  downloadable: true,
  profileSet: "default",
  accessRules: ["university_network"],
  createdAt: instant,
  updatedAt: instant
}

const medium = {
  id: 301,
  profile: "720p",
  url: "https://files.example.org/published/protected/ana1-2026ws/88/41/ana1-2026ws-2026-10-14-720p.mp4?md5=Jq0aVcCkq1fUhWJgcx0XUA&expires=1797254100",
  downloadUrl:
    "https://files.example.org/published/protected/ana1-2026ws/88/41/ana1-2026ws-2026-10-14-720p.mp4?md5=Jq0aVcCkq1fUhWJgcx0XUA&expires=1797254100&download=1",
  mimeType: "video/mp4",
  sizeBytes: 412_000_000,
  durationSeconds: 5340.2,
  width: 1280,
  height: 720,
  visible: true
}

const chapter = {
  id: 7,
  lectureId: 88,
  startSeconds: 754,
  title: "Satz von Fubini",
  visible: true,
  suggestedByViewer: false
}

const lecture = {
  id: 88,
  courseId: 12,
  startTime: instant,
  durationMinutes: 90,
  place: "Hörsaal H01",
  title: "Integration im Mehrdimensionalen",
  publicComment: "",
  speaker: null,
  visible: true,
  noRecording: false,
  media: [medium],
  thumbnails: {
    poster: {
      url: "https://files.example.org/published/public/ana1-2026ws/88/41/ana1-2026ws-2026-10-14-poster.jpg",
      width: 1280,
      height: 720
    },
    storyboard: {
      trackUrl:
        "https://files.example.org/published/public/ana1-2026ws/88/41/ana1-2026ws-2026-10-14-storyboard.vtt",
      spriteUrl:
        "https://files.example.org/published/public/ana1-2026ws/88/41/ana1-2026ws-2026-10-14-storyboard.jpg",
      width: 1600,
      height: 900
    }
  },
  access: { granted: true, rules: ["university_network"], passwordScope: null }
}

const lectureSummary = {
  id: 88,
  courseId: 12,
  courseHandle: "ana1-2026ws",
  courseTitle: "Analysis I",
  startTime: instant,
  durationMinutes: 90,
  title: "Integration im Mehrdimensionalen",
  speaker: null,
  visible: true
}

const job = {
  id: 5012,
  type: "media.transcode",
  status: "running",
  priority: 0,
  attempt: 1,
  maxAttempts: 3,
  input: { sourcePath: "incoming/ana1-2026-10-14.mp4" },
  progress: { percent: 42.5, etaSeconds: 310, message: "encoding", updatedAt: instant },
  output: null,
  error: null,
  logTail: null,
  sourceFileId: 41,
  runAfter: instant,
  createdAt: instant,
  updatedAt: instant,
  startedAt: instant,
  finishedAt: null
}

const sourceFile = {
  id: 41,
  path: "incoming/ana1-2026-10-14.mp4",
  sizeBytes: 2_400_000_000,
  modifiedAt: instant,
  lectureId: 88,
  state: "processing",
  probe: null,
  createdAt: instant,
  updatedAt: instant
}

const user = { id: 1, username: "erika", displayName: "Erika Mustermann", role: "admin" }
const userAccount = { ...user, disabled: false, createdAt: instant }
const announcement = {
  id: 3,
  text: "Die Aufzeichnungen vom 14.10. erscheinen wegen eines Tonproblems später.",
  level: "warning",
  visibleFrom: null,
  visibleUntil: "2026-10-21T00:00:00.000Z",
  createdAt: instant,
  updatedAt: instant
}
const featured = {
  id: 2,
  position: 1,
  title: "Neu: Analysis I",
  text: "Alle Termine des Wintersemesters",
  visible: true,
  course,
  lecture: null
}
const page = <T>(items: ReadonlyArray<T>) => ({ items, total: items.length, limit: 20, offset: 0 })

/** Example bodies by component schema name. */
const successExamples: Record<string, unknown> = {
  Course: course,
  CourseDetail: { ...course, lectures: [lecture] },
  Lecture: lecture,
  LectureDetail: {
    ...lecture,
    courseHandle: "ana1-2026ws",
    courseTitle: "Analysis I",
    chapters: [chapter]
  },
  Medium: medium,
  Chapter: chapter,
  SemesterCourses: { semester: "2026ws", courses: [course] },
  SearchResults: {
    ...page([
      { _tag: "course", rank: 1.21, course },
      { _tag: "lecture", rank: 0.61, lecture: lectureSummary }
    ])
  },
  Announcement: announcement,
  Featured: featured,
  User: user,
  UserAccount: userAccount,
  Job: job,
  JobPage: page([job]),
  SourceFile: sourceFile,
  SourceFilePage: page([sourceFile]),
  AttachedSourceFile: {
    sourceFile: { ...sourceFile, state: "pending" },
    job: { ...job, type: "media.probe", status: "queued", progress: null, startedAt: null }
  },
  AccessRules: {
    rules: [
      { kind: "university_network", hasPassword: false },
      { kind: "password", hasPassword: true }
    ]
  },
  PasswordGrant: {
    scope: { kind: "course", handle: "ana1-2026ws" },
    expiresAt: "2026-10-21T08:30:00.000Z"
  },
  ViewStatistics: {
    from: "2026-10-14",
    to: "2026-10-16",
    total: 57,
    days: [
      { day: "2026-10-14", views: 41 },
      { day: "2026-10-16", views: 16 }
    ]
  },
  UnassignedSourceFile: {
    id: 57,
    path: "incoming/ana1_2026-10-14_25-00.mp4",
    sizeBytes: 2_400_000_000,
    modifiedAt: instant,
    reason: "invalid_date",
    message: "The time 25:00 in the file name does not exist",
    firstSeenAt: instant,
    createdAt: instant
  },
  WaitingIncomingFile: {
    path: "incoming/ana1_2026-10-21_10-15.mp4",
    sizeBytes: 800_000_000,
    modifiedAt: instant,
    firstSeenAt: instant,
    changedAt: instant
  },
  PublishedFileProblem: {
    path: "published/public/ana1-2026ws/88/41/ana1-2026ws-2026-10-14-720p.mp4",
    kind: "size_mismatch",
    mediumId: 301,
    thumbnailId: null,
    expectedSizeBytes: 412_000_000,
    actualSizeBytes: 411_000_000,
    message: "The file has 411000000 bytes, but 412000000 were recorded",
    firstSeenAt: instant,
    lastSeenAt: instant
  },
  ChangeLogPage: page([
    {
      id: 901,
      objectType: "course",
      objectId: 12,
      field: "title",
      oldValue: "Analysis",
      newValue: "Analysis I",
      userId: 1,
      username: "erika",
      changedAt: instant
    }
  ])
}

/** Example bodies of endpoints whose schema is inline, by operation id. */
const operationExamples: Record<string, unknown> = {
  "jobs.get": job,
  "jobs.enqueue": { ...job, status: "queued", attempt: 0, progress: null, startedAt: null },
  "jobs.retry": { ...job, status: "queued", attempt: 0, progress: null },
  "jobs.cancel": { ...job, status: "cancelled", finishedAt: instant },
  "jobs.update": { ...job, priority: 10 },
  "feeds.rss":
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">\n<channel>\n<title>Analysis I (720p)</title>\n…\n</channel>\n</rss>\n',
  "feeds.atom":
    '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">\n<title>Analysis I</title>\n…\n</feed>\n',
  "feeds.calendar":
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Video AG//Lecture calendar//DE\r\nBEGIN:VEVENT\r\nUID:lecture-88@videoag\r\nDTSTART:20261014T083000Z\r\nDTEND:20261014T100000Z\r\nSUMMARY:Analysis I: Integration im Mehrdimensionalen\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

/** Request bodies whose schema carries a refinement, which drops its examples, by operation id. */
const requestExamples: Record<string, unknown> = {
  "announcements.create": {
    text: announcement.text,
    level: "warning",
    visibleUntil: "2026-10-21T00:00:00+02:00"
  },
  "announcements.update": { level: "important", visibleUntil: null },
  "featured.create": {
    title: "Neu: Analysis I",
    text: "Alle Termine des Wintersemesters",
    courseHandle: "ana1-2026ws"
  }
}

const firstCodeOf: Record<string, ErrorCode> = {
  ValidationError: "invalid_request",
  SourcePathRejected: "source_path_outside_media_root",
  Unauthorized: "authentication_required",
  Forbidden: "access_denied",
  NotFound: "course_not_found",
  Conflict: "course_handle_taken",
  PayloadTooLarge: "payload_too_large",
  UnsupportedMediaType: "unsupported_media_type",
  TooManyRequests: "rate_limited",
  ServiceUnavailable: "file_provider_unavailable",
  InternalError: "internal_error"
}

const errorExample = (tag: string) => {
  const code = firstCodeOf[tag]
  if (code === undefined) return undefined
  const extra =
    tag === "ValidationError"
      ? { field: "title", message: "Invalid title: Expected at most 300 characters" }
      : tag === "SourcePathRejected"
        ? { field: "path", path: "../etc/passwd", message: errorCodeCatalogue[code][1] }
        : tag === "TooManyRequests"
          ? { retryAfterSeconds: 540, message: errorCodeCatalogue[code][1] }
          : tag === "InternalError"
            ? {
                errorId: "6f8a3571-60b6-403e-8941-94a6f97517f0",
                message: errorCodeCatalogue[code][1]
              }
            : { message: errorCodeCatalogue[code][1] }
  return { _tag: tag, code, ...extra }
}

type JsonSchema = Record<string, unknown>

const refName = (schema: JsonSchema | undefined) =>
  typeof schema?.["$ref"] === "string" ? (schema["$ref"] as string).split("/").at(-1) : undefined

const exampleFor = (schema: JsonSchema, operationId: string, success: boolean): unknown => {
  if (success && operationId in operationExamples) return operationExamples[operationId]
  const name = refName(schema)
  if (name !== undefined) return success ? successExamples[name] : errorExample(name)
  const items = schema["items"] as JsonSchema | undefined
  const itemName = refName(items)
  if (itemName !== undefined && successExamples[itemName] !== undefined) {
    return [successExamples[itemName]]
  }
  const anyOf = schema["anyOf"] as ReadonlyArray<JsonSchema> | undefined
  if (anyOf !== undefined && anyOf[0] !== undefined)
    return exampleFor(anyOf[0], operationId, success)
  return undefined
}

const withoutDecodeError = (schema: JsonSchema): JsonSchema => {
  const anyOf = schema["anyOf"] as ReadonlyArray<JsonSchema> | undefined
  if (anyOf === undefined) return schema
  const kept = anyOf.filter((member) => refName(member) !== "HttpApiDecodeError")
  return kept.length === 1 && kept[0] !== undefined ? kept[0] : { ...schema, anyOf: kept }
}

type JsonObject = Record<string, unknown>

/** Returns the object under `key`, or an empty object for a missing or non-object value. */
const objectAt = (value: JsonObject | undefined, key: string): JsonObject => {
  const inner = value?.[key]
  return typeof inner === "object" && inner !== null ? (inner as JsonObject) : {}
}

const objectsIn = (value: JsonObject): ReadonlyArray<JsonObject> =>
  Object.values(value).filter(
    (inner): inner is JsonObject => typeof inner === "object" && inner !== null
  )

/** Adds examples to the OpenAPI document and drops `HttpApiDecodeError` from it. */
export const finishDocument = (spec: JsonObject): JsonObject => {
  for (const methods of objectsIn(objectAt(spec, "paths"))) {
    for (const operation of objectsIn(methods)) {
      const operationId = String(operation["operationId"] ?? "")
      const request = objectAt(
        objectAt(objectAt(operation, "requestBody"), "content"),
        "application/json"
      )
      if (Object.keys(request).length > 0 && operationId in requestExamples) {
        request["example"] = requestExamples[operationId]
      }
      for (const [status, response] of Object.entries(objectAt(operation, "responses"))) {
        if (typeof response !== "object" || response === null) continue
        const responseObject = response as JsonObject
        for (const content of objectsIn(objectAt(responseObject, "content"))) {
          content["schema"] = withoutDecodeError(content["schema"] as JsonSchema)
          const example = exampleFor(
            content["schema"] as JsonSchema,
            operationId,
            status.startsWith("2")
          )
          if (example !== undefined) content["example"] = example
        }
        if (
          status === "400" &&
          responseObject["description"] === "The request did not match the expected schema"
        ) {
          responseObject["description"] = "ValidationError"
        }
      }
    }
  }
  const schemas = objectAt(objectAt(spec, "components"), "schemas")
  delete schemas["HttpApiDecodeError"]
  return spec
}
