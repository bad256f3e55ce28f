/**
 * Every `code` a job's `error` can carry, with what it means. Workers and the orchestrator
 * set them; moderators read them through the API, and the frontend translates them. A test
 * checks that every code the code base sets is listed here.
 */
import * as Schema from "effect/Schema"

export const jobErrorCodes = {
  // The job and its input.
  unknown_job_type: "No worker knows the job type; the job cannot run.",
  input_missing: "The worker got no job input.",
  input_invalid: "The job input does not match its job type's schema.",
  output_invalid:
    "The worker's result does not match its job type's schema, or an output file is not valid media.",
  // The source recording.
  source_path_invalid: "The source path is malformed or lies in a folder the system writes itself.",
  source_path_outside_media_root: "The source path leads outside the media root.",
  source_path_not_a_file: "The source path names a folder or another non-regular file.",
  source_file_not_found: "The source file does not exist in the media root (any more).",
  source_file_empty: "The source file is empty (0 bytes); copy the recording again.",
  source_file_unreadable: "The source file could not be read; a retry can help.",
  source_truncated: "The recording is cut off; copy the complete file again.",
  not_media: "The file is not a media file ffprobe can read.",
  no_media_streams: "The file contains neither a video nor an audio stream.",
  no_duration: "The file has no playable duration (a still image or an empty recording).",
  no_video_stream: "Thumbnails need a video, and the file has none.",
  no_frames: "No picture could be decoded for the thumbnails.",
  nothing_to_encode: "The source has no stream for the outputs its profile set asks for.",
  // Encoding.
  ffmpeg_failed: "ffmpeg could not run to the end; a retry can help.",
  ffmpeg_stalled: "ffmpeg made no progress for the stall time and was stopped.",
  ffprobe_unavailable: "ffprobe could not be started; a retry can help.",
  ffprobe_output_invalid: "ffprobe printed a report that could not be read.",
  disk_full: "The media volume ran out of space; free space, then retry.",
  time_limit_exceeded: "The worker ran longer than its job type's time limit and stopped.",
  // Files in the media root.
  media_root_unavailable: "The media root is not accessible; a retry can help.",
  work_directory_failed: "The worker's private work folder could not be created.",
  output_path_invalid: "The output folder of the job is not a valid path in the media root.",
  output_missing: "An output file the worker expected is missing.",
  publish_failed: "Finished files could not be moved into the published folder.",
  file_unreadable: "A file the worker had to read could not be read.",
  playlist_unreadable: "An HLS playlist could not be read.",
  folder_path_invalid: "The folder to scan or list is not a valid path in the media root.",
  folder_outside_media_root: "The folder to scan or list leads outside the media root.",
  folder_not_a_directory: "The path to scan or list is not a folder.",
  folder_unreadable: "The folder to scan or list could not be read.",
  too_many_files: "The folder holds more files than one scan handles.",
  relocate_path_invalid: "A path to move between the public and protected folders is not valid.",
  relocate_path_outside_media_root: "A path to move leads outside the media root.",
  relocate_failed: "A published file could not be moved between the public and protected folders.",
  path_not_deletable: "A path to delete is not a published file the housekeeping may remove.",
  delete_failed: "A published file could not be deleted.",
  // Running the attempt.
  worker_exited:
    "The worker exited with an error code without reporting why; its log tail says more.",
  worker_killed: "The worker process was killed by a signal before it finished.",
  worker_start_failed: "The worker process could not be started.",
  result_missing: "The worker exited successfully but its result could not be found.",
  result_unreadable: "The worker stored its result in a file the orchestrator does not read.",
  result_lost: "The pod ended, but its result was gone before the orchestrator could read it.",
  timed_out: "The attempt ran longer than its job type's time limit and was stopped.",
  stalled: "The attempt reported no progress for its job type's stall timeout and was stopped.",
  attempt_lost: "The executor no longer knows the attempt, for example after a crash of its host.",
  cancelled: "A moderator cancelled the job.",
  dependency_failed: "A job this job depends on failed for good.",
  dependency_cancelled: "A job this job depends on was cancelled.",
  // Kubernetes.
  job_rejected: "The Kubernetes API rejected the Job of the attempt.",
  job_vanished: "The Kubernetes Job of the attempt disappeared before it finished.",
  job_failed: "The Kubernetes Job failed for a reason it reports in its condition.",
  job_deleted: "The Kubernetes Job was deleted while it ran.",
  deadline_exceeded: "The Kubernetes Job ran longer than its deadline and was stopped.",
  image_pull_failed:
    "The worker image could not be pulled; check the image name and registry access.",
  pod_config_error: "The worker pod could not start because of its configuration.",
  pod_deleted: "The worker pod was deleted before it finished.",
  pod_failed: "The worker pod failed without a worker exit code.",
  out_of_memory:
    "The worker ran out of memory and was killed; raise the memory limit of its job type.",
  evicted: "The worker pod was evicted from its node; a retry can help.",
  preempted: "The worker pod was preempted by a pod of higher priority; a retry can help."
} as const satisfies Record<string, string>

export type JobErrorCode = keyof typeof jobErrorCodes

export const isJobErrorCode = (code: string): code is JobErrorCode =>
  Object.hasOwn(jobErrorCodes, code)

/** The codes as a Markdown list, for the API documentation. */
export const jobErrorCodesMarkdown = Object.entries(jobErrorCodes)
  .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
  .join("\n")

export const JobErrorCodeSchema = Schema.String.annotations({
  description: `A stable code of what went wrong; the codes and their meanings:\n\n${jobErrorCodesMarkdown}`
})
