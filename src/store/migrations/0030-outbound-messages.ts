import { sql, type Kysely } from 'kysely'
import { addIdColumn, type SqlDialect } from './dialect.ts'

// Outbound mail: one row per message we send, kept with its composed MIME so a failed send is retried with the
// same bytes and Message-ID, never lost. Customers gain
// bounce columns: a hard bounce blocks further mail to the address.

export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const id = (t: any) => addIdColumn(t, dialect)

  await id(db.schema.createTable('outbound_messages'))
    .addColumn('ticket_id', 'integer', (c: any) => c.notNull().references('tickets.id'))
    .addColumn('ticket_message_id', 'integer', (c: any) => c.references('ticket_messages.id'))
    .addColumn('message_id_header', 'text', (c: any) => c.notNull().unique())
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('to_address', 'text', (c: any) => c.notNull())
    .addColumn('subject', 'text', (c: any) => c.notNull())
    .addColumn('verification_code', 'text', (c: any) => c.notNull().unique())
    .addColumn('raw_mime', 'text', (c: any) => c.notNull())
    .addColumn('status', 'text', (c: any) => c.notNull().defaultTo('queued'))
    .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('transport_id', 'text')
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('bounced_at', 'text')
    .execute()
  // Exactly one acknowledgement per ticket, enforced by the database across processes.
  await sql`create unique index outbound_messages_one_acknowledgement_key on outbound_messages (ticket_id) where kind = 'acknowledgement'`.execute(db)
  await db.schema.createIndex('outbound_messages_to_created_idx').on('outbound_messages').columns(['to_address', 'created_at']).execute()
  await db.schema.createIndex('outbound_messages_status_idx').on('outbound_messages').columns(['status', 'id']).execute()
  await db.schema.createIndex('outbound_messages_ticket_id_idx').on('outbound_messages').columns(['ticket_id', 'id']).execute()

  await db.schema.alterTable('customers').addColumn('mail_blocked', 'integer', (c: any) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('customers').addColumn('bounced_at', 'text').execute()
}
