/**
 * The whole data model: catalogue (courses, lectures, chapters, media), raw recordings, access
 * rules, moderators and sessions, home-page content, statistics, the change log and the job
 * queue.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql`
    CREATE TABLE users (
      id bigserial PRIMARY KEY,
      username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
      display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
      password_hash text NOT NULL,
      role text NOT NULL DEFAULT 'moderator' CHECK (role IN ('moderator', 'admin')),
      disabled boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE sessions (
      id bigserial PRIMARY KEY,
      token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      CHECK (expires_at > created_at)
    );
    CREATE INDEX sessions_user_id_idx ON sessions (user_id);
    CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

    CREATE TABLE courses (
      id bigserial PRIMARY KEY,
      handle text NOT NULL UNIQUE CHECK (handle ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$'),
      semester text CHECK (semester ~ '^[0-9]{4}(ws|ss)$'),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
      short_title text CHECK (length(short_title) <= 100),
      organizer text CHECK (length(organizer) <= 300),
      topic text CHECK (length(topic) <= 300),
      description text NOT NULL DEFAULT '',
      language text NOT NULL DEFAULT 'de' CHECK (language ~ '^[a-z]{2}$'),
      visible boolean NOT NULL DEFAULT true,
      listed boolean NOT NULL DEFAULT true,
      downloadable boolean NOT NULL DEFAULT true,
      profile_set text NOT NULL DEFAULT 'default',
      deleted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX courses_semester_idx ON courses (semester) WHERE deleted_at IS NULL;

    CREATE TABLE lectures (
      id bigserial PRIMARY KEY,
      course_id bigint NOT NULL REFERENCES courses (id),
      start_time timestamptz NOT NULL,
      duration_minutes integer CHECK (duration_minutes BETWEEN 1 AND 1440),
      place text CHECK (length(place) <= 200),
      title text NOT NULL DEFAULT '' CHECK (length(title) <= 300),
      public_comment text NOT NULL DEFAULT '',
      internal_comment text NOT NULL DEFAULT '',
      speaker text CHECK (length(speaker) <= 200),
      visible boolean NOT NULL DEFAULT true,
      no_recording boolean NOT NULL DEFAULT false,
      deleted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX lectures_course_start_idx ON lectures (course_id, start_time);

    CREATE TABLE source_files (
      id bigserial PRIMARY KEY,
      path text NOT NULL UNIQUE CHECK (length(path) BETWEEN 1 AND 1024 AND path !~ '^/'),
      size_bytes bigint CHECK (size_bytes >= 0),
      modified_at timestamptz,
      probe jsonb,
      lecture_id bigint REFERENCES lectures (id),
      state text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'processing', 'processed', 'failed')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX source_files_lecture_id_idx ON source_files (lecture_id);
    CREATE INDEX source_files_unassigned_idx ON source_files (created_at) WHERE lecture_id IS NULL;

    CREATE TABLE media (
      id bigserial PRIMARY KEY,
      lecture_id bigint NOT NULL REFERENCES lectures (id),
      source_file_id bigint REFERENCES source_files (id),
      profile text NOT NULL CHECK (profile ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
      path text NOT NULL UNIQUE CHECK (length(path) BETWEEN 1 AND 1024 AND path !~ '^/'),
      mime_type text NOT NULL,
      size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
      duration_seconds double precision CHECK (duration_seconds >= 0),
      width integer CHECK (width > 0),
      height integer CHECK (height > 0),
      bitrate bigint CHECK (bitrate >= 0),
      visible boolean NOT NULL DEFAULT true,
      deleted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX media_lecture_id_idx ON media (lecture_id) WHERE deleted_at IS NULL;
    CREATE INDEX media_source_file_id_idx ON media (source_file_id);

    CREATE TABLE thumbnails (
      id bigserial PRIMARY KEY,
      lecture_id bigint NOT NULL REFERENCES lectures (id),
      source_file_id bigint REFERENCES source_files (id),
      kind text NOT NULL CHECK (kind IN ('poster', 'storyboard')),
      path text NOT NULL UNIQUE CHECK (length(path) BETWEEN 1 AND 1024 AND path !~ '^/'),
      track_path text CHECK (length(track_path) BETWEEN 1 AND 1024 AND track_path !~ '^/'),
      width integer CHECK (width > 0),
      height integer CHECK (height > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'storyboard') = (track_path IS NOT NULL))
    );
    CREATE INDEX thumbnails_lecture_id_idx ON thumbnails (lecture_id);

    CREATE TABLE chapters (
      id bigserial PRIMARY KEY,
      lecture_id bigint NOT NULL REFERENCES lectures (id),
      start_seconds double precision NOT NULL CHECK (start_seconds >= 0),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
      visible boolean NOT NULL DEFAULT true,
      suggested_by_viewer boolean NOT NULL DEFAULT false,
      deleted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX chapters_lecture_id_idx ON chapters (lecture_id, start_seconds);

    CREATE TABLE access_rules (
      id bigserial PRIMARY KEY,
      course_id bigint REFERENCES courses (id) ON DELETE CASCADE,
      lecture_id bigint REFERENCES lectures (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('public', 'university_network', 'password', 'moderators')),
      password_hash text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((course_id IS NULL) <> (lecture_id IS NULL)),
      CHECK ((kind = 'password') = (password_hash IS NOT NULL))
    );
    CREATE INDEX access_rules_course_id_idx ON access_rules (course_id);
    CREATE INDEX access_rules_lecture_id_idx ON access_rules (lecture_id);

    CREATE TABLE announcements (
      id bigserial PRIMARY KEY,
      text text NOT NULL CHECK (length(text) BETWEEN 1 AND 5000),
      level text NOT NULL DEFAULT 'info' CHECK (level IN ('info', 'warning', 'important')),
      visible_from timestamptz,
      visible_until timestamptz,
      deleted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (visible_until IS NULL OR visible_from IS NULL OR visible_until > visible_from)
    );

    CREATE TABLE featured (
      id bigserial PRIMARY KEY,
      position integer NOT NULL,
      course_id bigint REFERENCES courses (id) ON DELETE CASCADE,
      lecture_id bigint REFERENCES lectures (id) ON DELETE CASCADE,
      title text CHECK (length(title) <= 300),
      text text NOT NULL DEFAULT '',
      visible boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (course_id IS NULL OR lecture_id IS NULL)
    );
    CREATE INDEX featured_position_idx ON featured (position);

    CREATE TABLE view_counts (
      medium_id bigint NOT NULL REFERENCES media (id) ON DELETE CASCADE,
      day date NOT NULL,
      count bigint NOT NULL DEFAULT 0 CHECK (count >= 0),
      PRIMARY KEY (medium_id, day)
    );

    CREATE TABLE change_log (
      id bigserial PRIMARY KEY,
      object_type text NOT NULL,
      object_id bigint NOT NULL,
      field text NOT NULL,
      old_value jsonb,
      new_value jsonb,
      user_id bigint REFERENCES users (id),
      changed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX change_log_object_idx ON change_log (object_type, object_id, changed_at);
    CREATE INDEX change_log_changed_at_idx ON change_log (changed_at);

    CREATE TABLE jobs (
      id bigserial PRIMARY KEY,
      type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$'),
      input jsonb NOT NULL,
      status text NOT NULL DEFAULT 'queued' CHECK (
        status IN ('waiting', 'queued', 'dispatched', 'running', 'succeeded', 'failed', 'cancelled')
      ),
      priority integer NOT NULL DEFAULT 0,
      attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
      max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
      run_after timestamptz NOT NULL DEFAULT now(),
      dedup_key text,
      progress jsonb,
      output jsonb,
      error jsonb,
      log_tail text,
      executor text,
      executor_ref text,
      source_file_id bigint REFERENCES source_files (id),
      created_by bigint REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      heartbeat_at timestamptz,
      finished_at timestamptz,
      CHECK (attempt <= max_attempts),
      CHECK ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL)),
      CHECK (status <> 'succeeded' OR output IS NOT NULL)
    );
    CREATE UNIQUE INDEX jobs_dedup_key_idx ON jobs (dedup_key) WHERE dedup_key IS NOT NULL;
    CREATE INDEX jobs_claim_idx ON jobs (priority DESC, run_after, id) WHERE status = 'queued';
    CREATE INDEX jobs_active_idx ON jobs (status) WHERE status IN ('dispatched', 'running');
    CREATE INDEX jobs_source_file_id_idx ON jobs (source_file_id);
    CREATE INDEX jobs_created_at_idx ON jobs (created_at);

    CREATE TABLE job_dependencies (
      job_id bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      depends_on_job_id bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      PRIMARY KEY (job_id, depends_on_job_id),
      CHECK (job_id <> depends_on_job_id)
    );
    CREATE INDEX job_dependencies_parent_idx ON job_dependencies (depends_on_job_id);

    CREATE TABLE job_schedules (
      id bigserial PRIMARY KEY,
      name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
      cron text NOT NULL,
      time_zone text NOT NULL DEFAULT 'Europe/Berlin',
      job_type text NOT NULL,
      input jsonb NOT NULL DEFAULT '{}',
      enabled boolean NOT NULL DEFAULT true,
      last_scheduled_for timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `
)
