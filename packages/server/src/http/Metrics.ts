/**
 * Request metrics kept in memory and rendered in the Prometheus text format: a counter of
 * requests by method, route and status class, and their total duration.
 */
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"

interface Series {
  count: number
  seconds: number
}

const requests = new Map<string, Series>()

/** Replaces numbers and course handles in a path so the label set stays small. */
const routeOf = (url: string) =>
  (url.split("?")[0] ?? "")
    .replace(/\/\d+(?=\/|$)/g, "/:id")
    .replace(/^(\/api\/v1\/(?:courses|statistics\/courses))\/[^/]+/, "$1/:handle")

const labelValue = (text: string) => text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')

/** Counts every response and its duration. */
export const middleware = HttpMiddleware.make((app) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = process.hrtime.bigint()
    const record = (status: number) =>
      Effect.sync(() => {
        const key = `method="${request.method}",route="${labelValue(routeOf(request.url))}",status="${Math.floor(status / 100)}xx"`
        const series = requests.get(key) ?? { count: 0, seconds: 0 }
        series.count += 1
        series.seconds += Number(process.hrtime.bigint() - started) / 1e9
        requests.set(key, series)
      })
    return yield* app.pipe(
      Effect.tap((response) => record(response.status)),
      Effect.tapErrorCause(() => record(500))
    )
  })
)

export const render = (jobs: ReadonlyArray<{ type: string; status: string; count: number }>) =>
  [
    "# HELP videoag_http_requests_total HTTP requests answered, by method, route and status class.",
    "# TYPE videoag_http_requests_total counter",
    ...[...requests].map(
      ([labels, series]) => `videoag_http_requests_total{${labels}} ${series.count}`
    ),
    "# HELP videoag_http_request_duration_seconds_total Time spent answering HTTP requests.",
    "# TYPE videoag_http_request_duration_seconds_total counter",
    ...[...requests].map(
      ([labels, series]) =>
        `videoag_http_request_duration_seconds_total{${labels}} ${series.seconds}`
    ),
    "# HELP videoag_jobs Jobs in the queue table, by type and status.",
    "# TYPE videoag_jobs gauge",
    ...jobs.map(
      (row) =>
        `videoag_jobs{type="${labelValue(row.type)}",status="${labelValue(row.status)}"} ${row.count}`
    ),
    ""
  ].join("\n")
