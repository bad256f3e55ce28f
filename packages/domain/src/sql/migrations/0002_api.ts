/**
 * What the complete API needs beyond the initial data model: full-text search columns (German
 * stemming, and an unaccented plain configuration as fallback), one rule of each kind per
 * object, deletable moderator accounts, rate-limit buckets, the daily keys and markers that
 * count a view once per viewer without storing addresses, and the move of media published
 * before the public and protected folders existed.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql`
    CREATE EXTENSION IF NOT EXISTS unaccent;

    CREATE TEXT SEARCH CONFIGURATION videoag_plain (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION videoag_plain
      ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
      WITH unaccent, simple;

    ALTER TABLE courses
      ADD COLUMN search_german tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('german', title), 'A') ||
        setweight(to_tsvector('german', coalesce(short_title, '')), 'A') ||
        setweight(to_tsvector('german', coalesce(organizer, '')), 'B') ||
        setweight(to_tsvector('german', coalesce(topic, '')), 'B') ||
        setweight(to_tsvector('german', description), 'C')
      ) STORED,
      ADD COLUMN search_plain tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('videoag_plain', title), 'A') ||
        setweight(to_tsvector('videoag_plain', coalesce(short_title, '')), 'A') ||
        setweight(to_tsvector('videoag_plain', coalesce(organizer, '')), 'B') ||
        setweight(to_tsvector('videoag_plain', coalesce(topic, '')), 'B') ||
        setweight(to_tsvector('videoag_plain', description), 'C')
      ) STORED;
    CREATE INDEX courses_search_german_idx ON courses USING gin (search_german);
    CREATE INDEX courses_search_plain_idx ON courses USING gin (search_plain);

    ALTER TABLE lectures
      ADD COLUMN search_german tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('german', title), 'A') ||
        setweight(to_tsvector('german', coalesce(speaker, '')), 'B') ||
        setweight(to_tsvector('german', public_comment), 'C')
      ) STORED,
      ADD COLUMN search_plain tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('videoag_plain', title), 'A') ||
        setweight(to_tsvector('videoag_plain', coalesce(speaker, '')), 'B') ||
        setweight(to_tsvector('videoag_plain', public_comment), 'C')
      ) STORED;
    CREATE INDEX lectures_search_german_idx ON lectures USING gin (search_german);
    CREATE INDEX lectures_search_plain_idx ON lectures USING gin (search_plain);

    ALTER TABLE chapters
      ADD COLUMN search_german tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('german', title), 'B')
      ) STORED,
      ADD COLUMN search_plain tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('videoag_plain', title), 'B')
      ) STORED;
    CREATE INDEX chapters_search_german_idx ON chapters USING gin (search_german);
    CREATE INDEX chapters_search_plain_idx ON chapters USING gin (search_plain);
    CREATE INDEX chapters_suggestions_idx ON chapters (created_at)
      WHERE suggested_by_viewer AND NOT visible AND deleted_at IS NULL;

    CREATE UNIQUE INDEX access_rules_course_kind_idx ON access_rules (course_id, kind)
      WHERE course_id IS NOT NULL;
    CREATE UNIQUE INDEX access_rules_lecture_kind_idx ON access_rules (lecture_id, kind)
      WHERE lecture_id IS NOT NULL;

    ALTER TABLE users ADD COLUMN deleted_at timestamptz;

    CREATE TABLE rate_limit_buckets (
      key_hash bytea PRIMARY KEY CHECK (length(key_hash) = 32),
      window_started_at timestamptz NOT NULL,
      count integer NOT NULL CHECK (count >= 0)
    );
    CREATE INDEX rate_limit_buckets_window_idx ON rate_limit_buckets (window_started_at);

    CREATE TABLE view_keys (
      day date PRIMARY KEY,
      key bytea NOT NULL CHECK (length(key) = 32)
    );

    CREATE TABLE view_markers (
      day date NOT NULL,
      viewer_hash bytea NOT NULL CHECK (length(viewer_hash) = 32),
      PRIMARY KEY (day, viewer_hash)
    );

    CREATE INDEX change_log_user_id_idx ON change_log (user_id);
    CREATE INDEX jobs_type_status_idx ON jobs (type, status);

    INSERT INTO jobs (type, input, max_attempts)
    SELECT 'media.relocate',
           jsonb_build_object('moves', jsonb_agg(jsonb_build_object(
             'from', path,
             'to', 'published/public/' || substr(path, length('published/') + 1)
           ) ORDER BY id)),
           5
    FROM media
    WHERE path LIKE 'published/%'
      AND path NOT LIKE 'published/public/%'
      AND path NOT LIKE 'published/protected/%'
    HAVING count(*) > 0;
  `
)
