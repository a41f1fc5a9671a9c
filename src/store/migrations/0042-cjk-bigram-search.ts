import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// SQLite: two-character Chinese words (退款, 到账, 登录) are below the trigram length, so they get their own index:
// the distinct CJK character pairs of each message, written by the maildesk_cjk_bigrams() function that
// openDatabase registers on every connection. PostgreSQL: nothing here (pg_trgm serves ILIKE).
export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  if (dialect !== 'sqlite') return
  await sql`create virtual table message_search_cjk using fts5(grams, content='', contentless_delete=1, tokenize='unicode61')`.execute(db)
  await sql`create trigger message_search_cjk_ai after insert on ticket_messages begin
    insert into message_search_cjk(rowid, grams) values (new.id, maildesk_cjk_bigrams(new.subject || ' ' || coalesce(new.text_body, '')));
  end`.execute(db)
  await sql`create trigger message_search_cjk_ad after delete on ticket_messages begin
    delete from message_search_cjk where rowid = old.id;
  end`.execute(db)
  await sql`create trigger message_search_cjk_au after update of subject, text_body on ticket_messages begin
    delete from message_search_cjk where rowid = old.id;
    insert into message_search_cjk(rowid, grams) values (new.id, maildesk_cjk_bigrams(new.subject || ' ' || coalesce(new.text_body, '')));
  end`.execute(db)
  await sql`insert into message_search_cjk(rowid, grams)
    select id, maildesk_cjk_bigrams(subject || ' ' || coalesce(text_body, '')) from ticket_messages`.execute(db)
}
