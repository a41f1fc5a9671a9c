import type { Database as SqliteHandle, Statement } from 'better-sqlite3'
import type { SqliteDatabase, SqliteStatement } from 'kysely'

/**
 * The SQLite handle as Kysely's driver sees it, with prepared statements reused: the driver calls `prepare(sql)`
 * for every query, and compiling the SQL cost more than running it for most of the pipeline's statements (a
 * quarter of ingest CPU went to prepare). Kysely compiles a query to the same SQL text every time, so the text
 * is the key. A statement still being iterated (`busy`, a streamed select) is not handed out twice: that query
 * gets a fresh statement. Bounded (least recently used out): `in (?, ?, …)` lists make SQL of many lengths.
 */
export function withStatementCache(sqlite: SqliteHandle, maxStatements = 200): SqliteDatabase {
  const cache = new Map<string, Statement>()
  return {
    close: () => {
      cache.clear()
      sqlite.close()
    },
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql)
      if (cached && !cached.busy) {
        // Map keeps insertion order: re-inserting marks the statement most recently used.
        cache.delete(sql)
        cache.set(sql, cached)
        return cached
      }
      const statement = sqlite.prepare(sql)
      if (cached) return statement // the cached one is mid-iteration; this one is used once
      cache.set(sql, statement)
      if (cache.size > maxStatements) {
        const oldest = cache.keys().next().value
        if (oldest !== undefined) cache.delete(oldest)
      }
      return statement
    },
  }
}
