import type { Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// What the pipeline learns about each message, stored beside it: authentication and impersonation verdicts,
// counts of redacted data, extracted fields, language, what kind of mail it is (a customer's message, an
// out-of-office reply, a bounce), and a hash of its text to recognise re-sends under a new Message-ID.
// Tickets remember whether their acknowledgement is still owed, so a crash between commit and sending is
// caught up later (the outbox pattern). Raw messages record how their bytes are encrypted at rest.

export async function up(db: Kysely<any>, _dialect: SqlDialect): Promise<void> {
  for (const column of ['verdicts', 'findings', 'fields', 'language']) {
    await db.schema.alterTable('ticket_messages').addColumn(column, 'text').execute()
  }
  await db.schema.alterTable('ticket_messages').addColumn('kind', 'text', (c: any) => c.notNull().defaultTo('message')).execute()
  await db.schema.alterTable('ticket_messages').addColumn('body_sha256', 'text').execute()
  await db.schema
    .createIndex('ticket_messages_resend_idx')
    .on('ticket_messages')
    .columns(['from_address', 'body_sha256'])
    .execute()
  await db.schema.alterTable('tickets').addColumn('ack_status', 'text').execute()
  await db.schema.createIndex('tickets_ack_status_idx').on('tickets').column('ack_status').execute()
  await db.schema.alterTable('raw_messages').addColumn('encryption', 'text').execute()
}
