import type { Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// Several maildesk processes share one database. Scheduled work (SLA checks, escalations, retention purges,
// acknowledgement sweeps, outbound retries) must run in one process at a time and once per interval:
// scheduled_jobs records when each job last started (a conditional UPDATE claims the next run), and on
// PostgreSQL an advisory lock per job name keeps a slow run from overlapping the next.
// ticket_sla_flags makes each SLA flag fire once: the unique (ticket_id, flag) pair is the idempotency key,
// so two concurrent SLA passes cannot both record "first response breached" for the same ticket.

export async function up(db: Kysely<any>, _dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('scheduled_jobs')
    .addColumn('name', 'text', (c: any) => c.primaryKey())
    .addColumn('last_started_at', 'text')
    .addColumn('last_finished_at', 'text')
    .addColumn('last_owner', 'text')
    .addColumn('last_error', 'text')
    .execute()
  await db.schema
    .createTable('ticket_sla_flags')
    .addColumn('ticket_id', 'integer', (c: any) => c.notNull().references('tickets.id'))
    .addColumn('flag', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addPrimaryKeyConstraint('ticket_sla_flags_pk', ['ticket_id', 'flag'])
    .execute()
  await db.schema.createIndex('ticket_sla_flags_flag_idx').on('ticket_sla_flags').column('flag').execute()
}
