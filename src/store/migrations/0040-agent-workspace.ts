import { sql, type Kysely } from 'kysely'
import { addIdColumn, type SqlDialect } from './dialect.ts'

// The agent workspace: agents and their credentials, the audit log, ticket workflow columns,
// reply templates, and the full-text index over subjects and bodies (Chinese needs n-grams, not words).

export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const id = (t: any) => addIdColumn(t, dialect)

  await id(db.schema.createTable('agents'))
    .addColumn('email', 'text', (c: any) => c.notNull().unique())
    .addColumn('display_name', 'text', (c: any) => c.notNull())
    .addColumn('role', 'text', (c: any) => c.notNull().defaultTo('agent'))
    .addColumn('password_hash', 'text', (c: any) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('is_active', 'integer', (c: any) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', 'text', (c: any) => c.notNull())
    .execute()

  // Session and API token ids are SHA-256 digests of the secrets: a leaked database row cannot log anyone in.
  await db.schema
    .createTable('agent_sessions')
    .addColumn('token_hash', 'text', (c: any) => c.primaryKey())
    .addColumn('agent_id', 'integer', (c: any) => c.notNull().references('agents.id'))
    .addColumn('csrf_token', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('expires_at', 'text', (c: any) => c.notNull())
    .addColumn('ip', 'text')
    .execute()
  await db.schema.createIndex('agent_sessions_agent_id_idx').on('agent_sessions').column('agent_id').execute()

  await id(db.schema.createTable('api_tokens'))
    .addColumn('agent_id', 'integer', (c: any) => c.notNull().references('agents.id'))
    .addColumn('name', 'text', (c: any) => c.notNull())
    .addColumn('token_hash', 'text', (c: any) => c.notNull().unique())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute()

  await id(db.schema.createTable('login_attempts'))
    .addColumn('key', 'text', (c: any) => c.notNull())
    .addColumn('succeeded', 'integer', (c: any) => c.notNull())
    .addColumn('attempted_at', 'text', (c: any) => c.notNull())
    .execute()
  await db.schema.createIndex('login_attempts_key_idx').on('login_attempts').columns(['key', 'attempted_at']).execute()

  await id(db.schema.createTable('audit_log'))
    .addColumn('agent_id', 'integer')
    .addColumn('action', 'text', (c: any) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('data', 'text', (c: any) => c.notNull().defaultTo('{}'))
    .addColumn('ip', 'text')
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .execute()
  await db.schema.createIndex('audit_log_created_idx').on('audit_log').column('created_at').execute()

  await id(db.schema.createTable('reply_templates'))
    .addColumn('name', 'text', (c: any) => c.notNull())
    .addColumn('language', 'text', (c: any) => c.notNull())
    .addColumn('body', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .execute()

  await db.schema.alterTable('tickets').addColumn('assignee_agent_id', 'integer').execute()
  await db.schema.alterTable('tickets').addColumn('tags', 'text', (c: any) => c.notNull().defaultTo('[]')).execute()
  await db.schema.alterTable('tickets').addColumn('merged_into_ticket_id', 'integer').execute()
  await db.schema.alterTable('tickets').addColumn('first_replied_at', 'text').execute()
  await db.schema.alterTable('tickets').addColumn('solved_at', 'text').execute()
  /** The next SLA deadline (first response, then resolution); set by the SLA clock, read by views. */
  await db.schema.alterTable('tickets').addColumn('due_at', 'text').execute()
  await db.schema.createIndex('tickets_assignee_idx').on('tickets').columns(['assignee_agent_id', 'status']).execute()
  await db.schema.createIndex('tickets_due_at_idx').on('tickets').columns(['status', 'due_at']).execute()
  await db.schema.alterTable('ticket_messages').addColumn('agent_id', 'integer').execute()

  if (dialect === 'sqlite') {
    // FTS5 with the trigram tokenizer: substring search that works for Chinese, which has no spaces between words.
    // Contentless (rowid = ticket_messages.id): the text lives once, in ticket_messages.
    await sql`create virtual table message_search using fts5(subject, body, content='', contentless_delete=1, tokenize='trigram')`.execute(db)
    await sql`create trigger message_search_ai after insert on ticket_messages begin
      insert into message_search(rowid, subject, body) values (new.id, new.subject, coalesce(new.text_body, ''));
    end`.execute(db)
    await sql`create trigger message_search_ad after delete on ticket_messages begin
      delete from message_search where rowid = old.id;
    end`.execute(db)
    await sql`create trigger message_search_au after update of subject, text_body on ticket_messages begin
      delete from message_search where rowid = old.id;
      insert into message_search(rowid, subject, body) values (new.id, new.subject, coalesce(new.text_body, ''));
    end`.execute(db)
    await sql`insert into message_search(rowid, subject, body) select id, subject, coalesce(text_body, '') from ticket_messages`.execute(db)
  } else {
    // In public, not in the current schema: an extension exists once per database, and every schema's index
    // names its operator class explicitly (a schema-per-tenant or per-test search_path would not find it).
    // Serialised across schemas: two migrations creating the extension at once would collide on its catalog row.
    await sql`select pg_advisory_xact_lock(hashtext('maildesk:pg_trgm'))`.execute(db)
    await sql`create extension if not exists pg_trgm with schema public`.execute(db)
    await sql`create index ticket_messages_search_trgm_idx on ticket_messages
      using gin ((subject || ' ' || coalesce(text_body, '')) public.gin_trgm_ops)`.execute(db)
  }
}
