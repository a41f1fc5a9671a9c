import type { Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// Threading by subject reads a customer's open tickets newest activity first, the older ticket first among equally
// recent ones (listRecentOpenTicketsOfCustomer). With an index on customer_id alone every ticket of the customer was
// read and sorted for each of their messages: a sender with hundreds of tickets (a notification robot) paid hundreds
// of rows per message. This index is that order, so the read stops at the limit; it serves every lookup by
// customer_id the old one served, so the old one goes.
export async function up(db: Kysely<any>, _dialect: SqlDialect): Promise<void> {
  await db.schema.createIndex('tickets_customer_activity_idx').on('tickets').columns(['customer_id', 'last_message_at desc', 'id']).execute()
  await db.schema.dropIndex('tickets_customer_id_idx').execute()
}
