import type { Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// Several maildesk processes may share one database and one mailbox list; only one of them may read a
// given mailbox at a time, or two could fetch the same message while neither has recorded it yet.
// The reader holds a lease that it renews; a crashed reader's lease runs out and another takes over.

export async function up(db: Kysely<any>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('imap_mailboxes').addColumn('lease_owner', 'text').execute()
  await db.schema.alterTable('imap_mailboxes').addColumn('lease_until', 'text').execute()
}
