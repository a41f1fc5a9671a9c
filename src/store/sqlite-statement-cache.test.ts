import SQLite from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { withStatementCache } from './sqlite-statement-cache.ts'

describe('SQLite statement cache', () => {
  function open() {
    const sqlite = new SQLite(':memory:')
    sqlite.exec('create table t (n integer)')
    return sqlite
  }

  it('hands out the same prepared statement for the same SQL', () => {
    const db = withStatementCache(open())
    const a = db.prepare('insert into t (n) values (?)')
    a.run([1])
    expect(db.prepare('insert into t (n) values (?)')).toBe(a)
    expect(db.prepare('select count(*) as c from t').all([])).toEqual([{ c: 1 }])
    db.close()
  })

  it('gives a statement that is still being iterated to nobody else: the nested query gets its own', () => {
    const db = withStatementCache(open())
    db.prepare('insert into t (n) values (1), (2), (3)').run([])
    const sql = 'select n from t order by n'
    const outer = db.prepare(sql)
    const seen: unknown[] = []
    for (const row of outer.iterate([])) {
      const inner = db.prepare(sql)
      expect(inner).not.toBe(outer)
      seen.push([row, inner.all([]).length])
    }
    expect(seen).toEqual([[{ n: 1 }, 3], [{ n: 2 }, 3], [{ n: 3 }, 3]])
    expect(db.prepare(sql)).toBe(outer)
    db.close()
  })

  it('keeps at most the given number of statements, dropping the least recently used', () => {
    const db = withStatementCache(open(), 2)
    const one = db.prepare('select 1')
    const two = db.prepare('select 2')
    expect(db.prepare('select 1')).toBe(one) // now "select 2" is the oldest
    db.prepare('select 3')
    expect(db.prepare('select 1')).toBe(one)
    expect(db.prepare('select 2')).not.toBe(two)
    db.close()
  })
})
