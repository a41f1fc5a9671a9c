import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// SQLite: the search index triggers of migrations 0040 and 0042, each with a WHEN clause that lets a batch defer
// the indexing of the messages it inserts to one statement at its end (store/search-index-deferral.ts). The
// functions are registered on every connection by openDatabase; outside a deferral they answer 0 and the triggers
// do exactly what they did before. PostgreSQL: nothing here (its indexes are not triggers).
export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  if (dialect !== 'sqlite') return
  for (const name of ['ai', 'au', 'ad']) {
    await sql.raw(`drop trigger message_search_${name}`).execute(db)
    await sql.raw(`drop trigger message_search_cjk_${name}`).execute(db)
  }
  await sql`create trigger message_search_ai after insert on ticket_messages
    when maildesk_defer_search_index(new.id) = 0 begin
      insert into message_search(rowid, subject, body) values (new.id, new.subject, coalesce(new.text_body, ''));
    end`.execute(db)
  await sql`create trigger message_search_ad after delete on ticket_messages
    when maildesk_search_index_deferred(old.id) = 0 begin
      delete from message_search where rowid = old.id;
    end`.execute(db)
  await sql`create trigger message_search_au after update of subject, text_body on ticket_messages
    when maildesk_search_index_deferred(old.id) = 0 begin
      delete from message_search where rowid = old.id;
      insert into message_search(rowid, subject, body) values (new.id, new.subject, coalesce(new.text_body, ''));
    end`.execute(db)
  await sql`create trigger message_search_cjk_ai after insert on ticket_messages
    when maildesk_defer_search_index(new.id) = 0 begin
      insert into message_search_cjk(rowid, grams) values (new.id, maildesk_cjk_bigrams(new.subject || ' ' || coalesce(new.text_body, '')));
    end`.execute(db)
  await sql`create trigger message_search_cjk_ad after delete on ticket_messages
    when maildesk_search_index_deferred(old.id) = 0 begin
      delete from message_search_cjk where rowid = old.id;
    end`.execute(db)
  await sql`create trigger message_search_cjk_au after update of subject, text_body on ticket_messages
    when maildesk_search_index_deferred(old.id) = 0 begin
      delete from message_search_cjk where rowid = old.id;
      insert into message_search_cjk(rowid, grams) values (new.id, maildesk_cjk_bigrams(new.subject || ' ' || coalesce(new.text_body, '')));
    end`.execute(db)
}
