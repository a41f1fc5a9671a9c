import type { Kysely } from 'kysely'
import { addIdColumn, type SqlDialect } from './dialect.ts'

// IMAP intake: per configured mailbox, where fetching stands (UIDVALIDITY + last UID) and its health;
// and a digest of every message fetched from it, so a UIDVALIDITY change or a crash between the spool
// commit and the server-side flag never spools a message twice.

export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const id = (t: any) => addIdColumn(t, dialect)

  await db.schema
    .createTable('imap_mailboxes')
    .addColumn('name', 'text', (c: any) => c.primaryKey())
    // UIDVALIDITY is a 32-bit unsigned number; text keeps it exact on both databases.
    .addColumn('uid_validity', 'text')
    .addColumn('last_uid', 'bigint', (c: any) => c.notNull().defaultTo(0))
    .addColumn('backlog', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('last_success_at', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('last_error_code', 'text')
    .addColumn('last_error_message', 'text')
    .addColumn('failing_since', 'text')
    .addColumn('updated_at', 'text', (c: any) => c.notNull())
    .execute()

  await id(db.schema.createTable('imap_fetched_messages'))
    .addColumn('mailbox', 'text', (c: any) => c.notNull())
    .addColumn('sha256', 'text', (c: any) => c.notNull())
    .addColumn('uid_validity', 'text', (c: any) => c.notNull())
    .addColumn('uid', 'bigint', (c: any) => c.notNull())
    // Null while the spool write is in flight; the highest raw_messages id before it bounds the search
    // for it after a crash.
    .addColumn('raw_message_id', 'integer')
    .addColumn('spool_floor_id', 'integer', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .execute()
  await db.schema
    .createIndex('imap_fetched_messages_mailbox_sha256_key')
    .unique()
    .on('imap_fetched_messages')
    .columns(['mailbox', 'sha256'])
    .execute()
}
