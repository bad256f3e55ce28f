/**
 * Media processing: the sorter's memory of the incoming folder (what each scan saw, so a file
 * still growing is recognised), unmatched source files with the reason, removed media whose
 * files are deleted, housekeeping's report of published files that are missing or wrong, and
 * the schedules of the sorter and of the housekeeping listing.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql`
    ALTER TABLE source_files
      ADD COLUMN origin text NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual', 'sorter')),
      ADD COLUMN unmatched_reason text CHECK (
        unmatched_reason IN (
          'unsupported_extension', 'name_not_recognized', 'invalid_date', 'course_not_found',
          'no_lecture_near_time', 'ambiguous_lecture', 'lecture_has_source_file'
        )
      ),
      ADD COLUMN unmatched_message text,
      ADD CONSTRAINT source_files_unmatched_check
        CHECK ((unmatched_reason IS NULL) = (unmatched_message IS NULL)),
      ADD CONSTRAINT source_files_unmatched_unassigned_check
        CHECK (unmatched_reason IS NULL OR lecture_id IS NULL);

    CREATE TABLE incoming_files (
      path text PRIMARY KEY CHECK (length(path) BETWEEN 1 AND 1024 AND path !~ '^/'),
      folder text NOT NULL,
      size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
      modified_at timestamptz NOT NULL,
      first_seen_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      changed_at timestamptz NOT NULL,
      source_file_id bigint REFERENCES source_files (id) ON DELETE SET NULL,
      CHECK (first_seen_at <= changed_at AND changed_at <= last_seen_at)
    );
    CREATE INDEX incoming_files_folder_idx ON incoming_files (folder);
    CREATE INDEX incoming_files_source_file_id_idx ON incoming_files (source_file_id);

    CREATE TABLE incoming_scans (
      folder text PRIMARY KEY,
      last_scanned_at timestamptz NOT NULL,
      last_job_id bigint REFERENCES jobs (id) ON DELETE SET NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    ALTER TABLE media ADD COLUMN purged_at timestamptz;
    CREATE INDEX media_removed_idx ON media (deleted_at)
      WHERE deleted_at IS NOT NULL AND purged_at IS NULL;

    ALTER TABLE thumbnails
      ADD COLUMN size_bytes bigint CHECK (size_bytes >= 0),
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

    CREATE TABLE published_file_problems (
      path text PRIMARY KEY CHECK (length(path) BETWEEN 1 AND 1024 AND path !~ '^/'),
      kind text NOT NULL CHECK (kind IN ('missing', 'size_mismatch', 'incomplete', 'unreferenced')),
      medium_id bigint REFERENCES media (id) ON DELETE CASCADE,
      thumbnail_id bigint REFERENCES thumbnails (id) ON DELETE CASCADE,
      expected_size_bytes bigint,
      actual_size_bytes bigint,
      message text NOT NULL,
      job_id bigint REFERENCES jobs (id) ON DELETE SET NULL,
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now()
    );

    INSERT INTO job_schedules (name, cron, time_zone, job_type, input)
    VALUES
      (
        'sorter', '*/5 * * * *', 'Europe/Berlin', 'media.scan_incoming',
        '{"folder": "incoming", "timeZone": "Europe/Berlin", "toleranceMinutes": 30, "minimumAgeSeconds": 60}'
      ),
      (
        'published-files-check', '30 3 * * *', 'Europe/Berlin', 'media.list_published',
        '{"folders": ["published"]}'
      )
    ON CONFLICT (name) DO NOTHING;
  `
)
