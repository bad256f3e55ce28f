/**
 * Queue columns the Kubernetes orchestrator needs: where a child job's input comes from in its
 * parents' outputs, the schedule that enqueued a job, and a default priority and attempt count
 * for each schedule's runs.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"

export default Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql`
    ALTER TABLE jobs
      ADD COLUMN input_from_parents jsonb,
      ADD COLUMN schedule_id bigint REFERENCES job_schedules (id) ON DELETE SET NULL;
    CREATE INDEX jobs_schedule_id_idx ON jobs (schedule_id) WHERE schedule_id IS NOT NULL;
    CREATE INDEX jobs_waiting_idx ON jobs (id) WHERE status = 'waiting';

    ALTER TABLE job_schedules
      ADD COLUMN priority integer NOT NULL DEFAULT 0,
      ADD COLUMN max_attempts integer CHECK (max_attempts >= 1);
  `
)
