import type { Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// SMTP messages are first appended to a journal file and imported into raw_messages behind the 250
// (intake/spool-journal.ts). Each row imported from a journal carries the record's key, unique, so a record imported
// again after a crash is stored once; rows from other sources leave it null (nulls never collide in a unique index).

export async function up(db: Kysely<any>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('raw_messages').addColumn('spool_key', 'text').execute()
  await db.schema.createIndex('raw_messages_spool_key_idx').unique().on('raw_messages').column('spool_key').execute()
}
