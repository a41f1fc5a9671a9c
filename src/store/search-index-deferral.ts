import type { Database as SqliteHandle } from 'better-sqlite3'
import { sql } from 'kysely'
import type { Db, SqlDialect } from './database.ts'

/**
 * SQLite's message search indexes (FTS5, migrations 0084 and 0042) are written by triggers on ticket_messages.
 * Inside a transaction, every statement that fires a trigger opens a statement journal, and FTS5 writes its
 * pending rows out as a new segment whenever one opens (xSavepoint): a batch of a hundred messages became a hundred
 * small segments, each merged again later. Deferred, the triggers leave the batch's new messages alone and
 * `indexNewMessagesAtEnd` indexes them in one INSERT … SELECT per index just before the commit: the same index
 * content, a fraction of the work (ingest, 5,956 messages: 3.4 → 2.1 s CPU for the inserts, their indexing and
 * the commits).
 *
 * The state belongs to one connection (better-sqlite3 has one per Store), kept here and read by the triggers:
 * - maildesk_defer_search_index(id) in the insert triggers' WHEN: 1 while a deferral is open (the id is noted),
 *   else 0 (the trigger indexes the row);
 * - maildesk_search_index_deferred(id) in the update and delete triggers' WHEN: 1 for a row inserted during the
 *   open deferral (not in the index yet; its final content is indexed at the end), else 0;
 * - maildesk_search_index_deferral(open): 1 opens a deferral, 0 closes it and answers the first deferred id (or
 *   null when none was inserted).
 */
export function registerSearchIndexDeferral(sqlite: SqliteHandle): void {
  let open = false
  let firstDeferredId: number | undefined
  // A deferral belongs to one transaction: found open outside any (its close never ran), it is over.
  const isOpen = (): boolean => {
    if (open && !sqlite.inTransaction) open = false
    return open
  }
  sqlite.function('maildesk_defer_search_index', (id: unknown) => {
    if (!isOpen()) return 0
    // AUTOINCREMENT ids only grow while the transaction holds the write lock: the first is the smallest.
    if (firstDeferredId === undefined) firstDeferredId = Number(id)
    return 1
  })
  sqlite.function('maildesk_search_index_deferred', (id: unknown) =>
    isOpen() && firstDeferredId !== undefined && Number(id) >= firstDeferredId ? 1 : 0,
  )
  sqlite.function('maildesk_search_index_deferral', (flag: unknown) => {
    if (flag === 1) {
      if (isOpen()) throw new Error('a search index deferral is already open on this connection')
      open = true
      firstDeferredId = undefined
      return null
    }
    open = false
    return firstDeferredId ?? null
  })
}

/**
 * Runs `fn`, which inserts messages, with their search indexing deferred to its end: the messages it inserted are
 * indexed in one statement per index before this returns. Call it inside the transaction that `fn` writes in, so
 * no other writer's messages fall between (SQLite holds the write lock from the first write to the commit).
 * PostgreSQL maintains its GIN indexes itself: `fn` simply runs.
 */
export async function indexNewMessagesAtEnd<T>(trx: Db, dialect: SqlDialect, fn: () => Promise<T>): Promise<T> {
  if (dialect !== 'sqlite') return fn()
  await sql`select maildesk_search_index_deferral(1)`.execute(trx)
  const close = async (): Promise<number | null> => {
    const { rows } = await sql<{ first: number | null }>`select maildesk_search_index_deferral(0) as first`.execute(trx)
    return rows[0]?.first ?? null
  }
  let result: T
  try {
    result = await fn()
  } catch (err) {
    await close()
    throw err
  }
  const first = await close()
  if (first !== null) {
    // The same rows and expressions as the insert triggers (migrations 0084 and 0082).
    await sql`insert into message_search(rowid, text)
      select id, subject || ' ' || coalesce(text_body, '') from ticket_messages where id >= ${first}`.execute(trx)
    await sql`insert into message_search_cjk(rowid, grams)
      select id, maildesk_cjk_bigrams(subject || ' ' || coalesce(text_body, '')) from ticket_messages where id >= ${first}`.execute(trx)
  }
  return result
}
