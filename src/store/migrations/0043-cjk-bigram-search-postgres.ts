import { sql, type Kysely } from 'kysely'
import type { SqlDialect } from './dialect.ts'

// PostgreSQL: two-character Chinese words are below pg_trgm's reach (a LIKE '%退款%' pattern yields no complete
// trigram), so messages also get a GIN index over their distinct CJK character pairs. SQLite: migration 0042.
export async function up(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  if (dialect !== 'postgres') return
  await sql`create function maildesk_cjk_bigrams(t text) returns text[] language sql immutable parallel safe as $fn$
    select coalesce(array_agg(distinct substr(run, i, 2)), '{}')
    from regexp_split_to_table(t, '[^\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff]+') as run,
         generate_series(1, length(run) - 1) as i
  $fn$`.execute(db)
  await sql`create index ticket_messages_cjk_bigrams_idx on ticket_messages
    using gin (maildesk_cjk_bigrams(subject || ' ' || coalesce(text_body, '')))`.execute(db)
}
