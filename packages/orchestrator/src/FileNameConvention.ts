/**
 * The file-name convention of the incoming folder, by which the sorter matches raw recordings
 * to lectures:
 *
 *     <course handle>_<YYYY-MM-DD>_<HH-MM>[_<anything>].<extension>
 *
 * for example `analysis-1_2026-10-14_10-15.mp4` or `analysis-1_2026-10-14_1015_camera-2.mkv`.
 * The date and time are the lecture's local start in the sorter's time zone; the course handle
 * is compared without regard to case. Only video and audio extensions are matched.
 */
import * as Either from "effect/Either"
import type { UnmatchedReason } from "@videoag/domain"

/** Extensions of the video and audio files the sorter attaches, lowercase. */
export const mediaExtensions: ReadonlySet<string> = new Set([
  "mp4",
  "m4v",
  "mov",
  "mkv",
  "webm",
  "avi",
  "mts",
  "m2ts",
  "ts",
  "mpg",
  "mpeg",
  "flv",
  "wmv",
  "3gp",
  "mp3",
  "m4a",
  "aac",
  "wav",
  "flac",
  "ogg",
  "oga",
  "opus"
])

export interface RecordingName {
  readonly courseHandle: string
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
}

export interface Unmatched {
  readonly reason: UnmatchedReason
  readonly message: string
}

const namePattern =
  /^([a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)_(\d{4})-(\d{2})-(\d{2})_(\d{2})-?(\d{2})(?:_.*)?$/i

export const conventionExample = "analysis-1_2026-10-14_10-15.mp4"

/** Reads course handle, date and time from a file name (without folders). */
export const parse = (fileName: string): Either.Either<RecordingName, Unmatched> => {
  const dot = fileName.lastIndexOf(".")
  const extension = dot > 0 ? fileName.slice(dot + 1).toLowerCase() : ""
  if (!mediaExtensions.has(extension)) {
    return Either.left({
      reason: "unsupported_extension",
      message: `${JSON.stringify(fileName)} does not end in a video or audio extension (such as .mp4, .mkv or .mp3), so it is not attached`
    })
  }
  const match = namePattern.exec(fileName.slice(0, dot))
  if (match === null) {
    return Either.left({
      reason: "name_not_recognized",
      message: `${JSON.stringify(fileName)} does not follow <course handle>_<YYYY-MM-DD>_<HH-MM>.<extension>, e.g. ${conventionExample}; rename it or assign it by hand`
    })
  }
  const [year, month, day, hour, minute] = match.slice(2, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number
  ]
  const calendar = new Date(Date.UTC(year, month - 1, day))
  const validDate =
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() === month - 1 &&
    calendar.getUTCDate() === day
  if (!validDate || hour > 23 || minute > 59) {
    return Either.left({
      reason: "invalid_date",
      message: `${JSON.stringify(fileName)} names ${match[2]}-${match[3]}-${match[4]} ${match[5]}:${match[6]}, which is not a valid date and time`
    })
  }
  return Either.right({
    courseHandle: (match[1] ?? "").toLowerCase(),
    year,
    month,
    day,
    hour,
    minute
  })
}

/** Minutes that `timeZone` is ahead of UTC at `instant`. */
const offsetMinutes = (instant: number, timeZone: string) => {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric"
  }).formatToParts(new Date(instant))
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((candidate) => candidate.type === type)?.value ?? 0)
  const local = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second")
  )
  return Math.round((local - instant) / 60_000)
}

/**
 * Converts a local date and time in `timeZone` to an instant. A time that a daylight-saving
 * change skips or repeats resolves to one of the neighbouring instants, which the tolerance
 * covers.
 */
export const instantOf = (name: RecordingName, timeZone: string): Date => {
  const asUtc = Date.UTC(name.year, name.month - 1, name.day, name.hour, name.minute)
  const first = asUtc - offsetMinutes(asUtc, timeZone) * 60_000
  return new Date(asUtc - offsetMinutes(first, timeZone) * 60_000)
}

/** The local date and time of an instant, as the convention writes it: `2026-10-14 10:15`. */
export const formatLocal = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit"
  }).format(instant)
