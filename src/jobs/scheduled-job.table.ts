/** One row per scheduled job: when it last ran, where, and how it ended. */
export interface ScheduledJobTable {
  name: string
  last_started_at: string | null
  last_finished_at: string | null
  /** host:pid of the process that ran it last. */
  last_owner: string | null
  /** The last run's error message (null when it succeeded). */
  last_error: string | null
}
