import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// SQLite: the trigram search index of migration 0040 kept, for every trigram of every message, its column and
// position (detail=full), which only an FTS5 phrase query reads. Writing those positions was most of what storing a
// message cost on ingest's main thread (SpamAssassin corpus: 1.9 of 5.2 s of SQL), and the index was 40 MB for
// 11 MB of text. This one keeps only which messages hold each trigram (detail=none): a sixth of the size, half the
// work to write. Search finds a term's candidates by all of its trigrams and keeps those whose text holds the term
// (ticket-search.repository.ts), which is also how PostgreSQL's pg_trgm index is read. One column, the subject and
// body as PostgreSQL's index sees them. The triggers are those of migration 0082, for the new column.
// PostgreSQL: nothing here.
export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  if (dialect !== 'sqlite') return
  for (const name of ['ai', 'au', 'ad']) await sql.raw(`drop trigger message_search_${name}`).execute(db)
  await sql`drop table message_search`.execute(db)
  await sql`create virtual table message_search using fts5(text, content='', contentless_delete=1, tokenize='trigram', detail=none)`.execute(db)
  await sql`create trigger message_search_ai after insert on ticket_messages
    when maildesk_defer_search_index(new.id) = 0 begin
      insert into message_search(rowid, text) values (new.id, new.subject || ' ' || coalesce(new.text_body, ''));
    end`.execute(db)
  await sql`create trigger message_search_ad after delete on ticket_messages
    when maildesk_search_index_deferred(old.id) = 0 begin
      delete from message_search where rowid = old.id;
    end`.execute(db)
  await sql`create trigger message_search_au after update of subject, text_body on ticket_messages
    when maildesk_search_index_deferred(old.id) = 0 begin
      delete from message_search where rowid = old.id;
      insert into message_search(rowid, text) values (new.id, new.subject || ' ' || coalesce(new.text_body, ''));
    end`.execute(db)
  await sql`insert into message_search(rowid, text) select id, subject || ' ' || coalesce(text_body, '') from ticket_messages`.execute(db)
}
