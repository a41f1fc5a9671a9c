import { hostname } from 'node:os'
import { sql } from 'kysely'
import type { Logger } from '../logger.ts'
import type { Db, Store } from '../store/database.ts'

/** A piece of periodic work; `run` must be idempotent, since a crash mid-run means the next run repeats it. */
export interface ScheduledJob {
  /** Stable name: the row in scheduled_jobs and the advisory lock key. */
  name: string
  /** At most one run per interval across every process sharing the database. */
  intervalMs: number
  /** Does the work; the counts returned are logged. */
  run(now: Date): Promise<Record<string, number> | void>
}

export type JobRunOutcome = 'ran' | 'not_due' | 'locked' | 'failed'

/**
 * Runs a job if no process has started it within its interval. On PostgreSQL the run holds
 * pg_try_advisory_xact_lock for the job name (in a transaction that stays open for the run, so the lock
 * goes with the connection if the process dies); a process that cannot take the lock skips. In both
 * dialects the start is claimed by a conditional UPDATE of scheduled_jobs.last_started_at, so only one
 * process runs the job per interval even on a shared SQLite file.
 */
export async function runJobIfDue(store: Store, job: ScheduledJob, now: Date, owner = processOwner()): Promise<JobRunOutcome> {
  await store.db
    .insertInto('scheduled_jobs')
    .values({ name: job.name, last_started_at: null, last_finished_at: null, last_owner: null, last_error: null })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  if (store.dialect === 'sqlite') return claimAndRun(store.db, job, now, owner)
  return store.db.transaction().execute(async (trx) => {
    // The schema is part of the key: test schemas (and tenants) on one server do not block each other.
    const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(current_schema() || ':' || ${job.name})) as locked`.execute(trx)
    if (lock.rows[0]?.locked !== true) return 'locked'
    return claimAndRun(store.db, job, now, owner)
  })
}

async function claimAndRun(db: Db, job: ScheduledJob, now: Date, owner: string): Promise<JobRunOutcome> {
  const dueBefore = new Date(now.getTime() - job.intervalMs).toISOString()
  const claimed = await db
    .updateTable('scheduled_jobs')
    .set({ last_started_at: now.toISOString(), last_owner: owner })
    .where('name', '=', job.name)
    .where((eb) => eb.or([eb('last_started_at', 'is', null), eb('last_started_at', '<=', dueBefore)]))
    .executeTakeFirst()
  if (Number(claimed.numUpdatedRows) === 0) return 'not_due'
  try {
    await job.run(now)
    await db.updateTable('scheduled_jobs').set({ last_finished_at: new Date().toISOString(), last_error: null }).where('name', '=', job.name).execute()
    return 'ran'
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    await db.updateTable('scheduled_jobs').set({ last_finished_at: new Date().toISOString(), last_error: message.slice(0, 1000) }).where('name', '=', job.name).execute()
    throw err
  }
}

function processOwner(): string {
  return `${hostname()}:${process.pid}`
}

export interface SchedulerOptions {
  /** How often to look for due jobs. */
  tickMs?: number
  now?: () => Date
}

/** Runs scheduled jobs in the background: every tick, each due job once, one after another. */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private readonly tickMs: number
  private readonly now: () => Date

  constructor(
    private readonly store: Store,
    private readonly jobs: ScheduledJob[],
    private readonly log: Logger,
    options: SchedulerOptions = {},
  ) {
    this.tickMs = options.tickMs ?? 5000 // 5 s: jobs' own intervals are a minute or more
    this.now = options.now ?? (() => new Date())
  }

  /** One pass over every job; passes never overlap. */
  tick(): Promise<void> {
    this.running ??= this.runAll().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  start(): void {
    if (this.timer) return
    void this.tick()
    this.timer = setInterval(() => void this.tick(), this.tickMs)
    this.timer.unref()
  }

  /** Stops the timer and waits for a running pass to finish. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.running
  }

  private async runAll(): Promise<void> {
    for (const job of this.jobs) {
      const started = Date.now()
      try {
        const outcome = await runJobIfDue(this.store, job, this.now())
        if (outcome === 'ran') this.log.debug({ job: job.name, ms: Date.now() - started }, 'scheduled job ran')
      } catch (err) {
        this.log.error({ err, job: job.name }, 'scheduled job failed')
      }
    }
  }
}
