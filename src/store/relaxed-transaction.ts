import { sql, type Transaction } from 'kysely'
import type { Database, Store } from './database.ts'

/**
 * A transaction whose commit does not wait for its own fsync: for work that can be redone from something already
 * durable (the pipeline re-derives everything from the raw message, which was committed with a full fsync before
 * SMTP said 250). After a power loss such a commit may be lost, never half-applied, and the raw message is simply
 * processed again. Any later fully-synced commit (the next spool batch) makes it durable too, since both databases
 * write one log in order: SQLite's WAL with synchronous=NORMAL, PostgreSQL's WAL with synchronous_commit=off.
 */
export async function relaxedTransaction<T>(store: Store, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') {
    return store.db.transaction().execute(async (trx) => {
      await sql`set local synchronous_commit to off`.execute(trx)
      return fn(trx)
    })
  }
  // One connection for the pragma and the transaction, so no other statement runs with the relaxed setting.
  return store.db.connection().execute(async (conn) => {
    await sql`pragma synchronous = NORMAL`.execute(conn)
    try {
      return await conn.transaction().execute(fn)
    } finally {
      await sql`pragma synchronous = FULL`.execute(conn)
    }
  })
}
