import type { Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// Search and the "updated" sort walk tickets newest activity first and stop at the page size; this index is
// that walk.
export async function up(db: Kysely<any>, _dialect: SqlDialect): Promise<void> {
  await db.schema.createIndex('tickets_last_message_at_idx').on('tickets').columns(['last_message_at', 'id']).execute()
}
