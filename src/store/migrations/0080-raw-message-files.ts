import type { Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// Raw messages above 1 MiB are spooled as encrypted files under <data-dir>/spool/raw/ (intake/raw-message-file.ts)
// instead of one database blob: a 34 MB blob insert alone took SQLite ~2.4x the message in memory. The row names the
// file; `raw` stays null for such rows.

export async function up(db: Kysely<any>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('raw_messages').addColumn('raw_file', 'text').execute()
}
