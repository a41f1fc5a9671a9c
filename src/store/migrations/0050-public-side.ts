import type { Kysely } from 'kysely'
import { addIdColumn, type SqlDialect } from './dialect.ts'

// The public side: the key that signs form and survey tokens, status-portal links and sessions (only
// SHA-256 digests of their secrets are stored), anti-phishing codes, survey answers and live chats.

export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const id = (t: any) => addIdColumn(t, dialect)

  // One row per purpose; created on first use so every process of one installation signs with the same key.
  await db.schema
    .createTable('public_signing_keys')
    .addColumn('purpose', 'text', (c: any) => c.primaryKey())
    .addColumn('key_hex', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .execute()

  await id(db.schema.createTable('portal_links'))
    .addColumn('token_hash', 'text', (c: any) => c.notNull().unique())
    .addColumn('ticket_id', 'integer', (c: any) => c.notNull().references('tickets.id'))
    .addColumn('customer_id', 'integer', (c: any) => c.notNull().references('customers.id'))
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('expires_at', 'text', (c: any) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()

  await id(db.schema.createTable('portal_sessions'))
    .addColumn('token_hash', 'text', (c: any) => c.notNull().unique())
    .addColumn('ticket_id', 'integer', (c: any) => c.notNull().references('tickets.id'))
    .addColumn('customer_id', 'integer', (c: any) => c.notNull().references('customers.id'))
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('expires_at', 'text', (c: any) => c.notNull())
    .execute()

  await db.schema
    .createTable('anti_phishing_codes')
    .addColumn('customer_id', 'integer', (c: any) => c.primaryKey().references('customers.id'))
    .addColumn('code', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', 'text', (c: any) => c.notNull())
    .execute()

  await id(db.schema.createTable('survey_responses'))
    .addColumn('ticket_id', 'integer', (c: any) => c.notNull().unique().references('tickets.id'))
    .addColumn('rating', 'integer', (c: any) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', 'text', (c: any) => c.notNull())
    .execute()

  await id(db.schema.createTable('chat_conversations'))
    .addColumn('token_hash', 'text', (c: any) => c.notNull().unique())
    .addColumn('ticket_id', 'integer', (c: any) => c.notNull().references('tickets.id'))
    .addColumn('status', 'text', (c: any) => c.notNull().defaultTo('open'))
    .addColumn('language', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('last_activity_at', 'text', (c: any) => c.notNull())
    .execute()
  await db.schema.createIndex('chat_conversations_status_idx').on('chat_conversations').columns(['status', 'last_activity_at']).execute()

  // Agents' live-chat connections, one row per connection, refreshed by a heartbeat; a row older than
  // the presence window means that connection (or its process) is gone.
  await db.schema
    .createTable('chat_agent_presence')
    .addColumn('connection_id', 'text', (c: any) => c.primaryKey())
    .addColumn('agent', 'text', (c: any) => c.notNull())
    .addColumn('last_seen_at', 'text', (c: any) => c.notNull())
    .execute()
}
