import type { Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// Attachment safety verdicts, one per content digest (attachment bytes are stored by SHA-256, so the same
// file sent a hundred times is judged once): the detected type, ok / quarantine / scan_pending, why, and
// the virus scan's state so failed scans are retried and visible.

export async function up(db: Kysely<any>, _dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('attachment_verdicts')
    .addColumn('sha256', 'text', (c: any) => c.primaryKey())
    .addColumn('detected_type', 'text', (c: any) => c.notNull())
    .addColumn('verdict', 'text', (c: any) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('detail', 'text')
    .addColumn('scan_status', 'text', (c: any) => c.notNull())
    .addColumn('scan_signature', 'text')
    .addColumn('scan_error', 'text')
    .addColumn('scan_attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('next_scan_at', 'text')
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', 'text', (c: any) => c.notNull())
    .execute()
  await db.schema.createIndex('attachment_verdicts_pending_idx').on('attachment_verdicts').columns(['verdict', 'next_scan_at']).execute()
}
