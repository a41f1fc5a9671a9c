import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDatabase, sqlitePathIn, type SqlDialect, type Store } from '../../src/store/database.ts'

/**
 * The dialects integration tests run on: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set.
 * TEST_DIALECTS=sqlite narrows a local run.
 */
export function testDialects(): SqlDialect[] {
  const only = process.env.TEST_DIALECTS?.split(',').map((d) => d.trim())
  const all: SqlDialect[] = process.env.TEST_POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite']
  return only ? all.filter((d) => only.includes(d)) : all
}

export function testPostgresUrl(): string {
  const url = process.env.TEST_POSTGRES_URL
  if (!url) throw new Error('TEST_POSTGRES_URL is not set')
  return url
}

/** A migrated, empty database: in-memory SQLite, or a fresh PostgreSQL schema dropped on destroy. */
export async function createTestDatabase(dialect: SqlDialect, sqlitePath = ':memory:'): Promise<Store> {
  if (dialect === 'sqlite') return openDatabase({ sqlitePath })
  const { schema, url } = await createTestSchema()
  const store = await openDatabase({ databaseUrl: url, pgSchema: schema, maxConnections: 4 })
  return {
    ...store,
    destroy: async () => {
      await store.destroy()
      await dropTestSchema(schema)
    },
  }
}

/** A new empty PostgreSQL schema, for tests that start their own processes against it. */
export async function createTestSchema(): Promise<{ schema: string; url: string }> {
  const url = testPostgresUrl()
  const schema = `t_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    // Extensions are per database, not per schema: install them once in public, before any test schema
    // migrates, so no test's schema owns (and on drop, removes) another test's extension.
    await client.query('create extension if not exists pg_trgm schema public').catch(() => {})
    await client.query(`create schema ${schema}`)
  } finally {
    await client.end()
  }
  return { schema, url }
}

/**
 * The database of `maildesk serve` processes started on `dataDir` (serve-process.ts): on PostgreSQL a fresh schema,
 * named in `env.DATABASE_URL` through search_path, and dropped by `cleanup`; on SQLite the file in the data
 * directory (no env). `open()` opens the same database from the test.
 */
export async function serveProcessDatabase(
  dialect: SqlDialect,
  dataDir: string,
): Promise<{ env: Record<string, string>; open(): Promise<Store>; cleanup(): Promise<void> }> {
  if (dialect === 'sqlite') return { env: {}, open: () => openDatabase({ sqlitePath: sqlitePathIn(dataDir) }), cleanup: async () => {} }
  const { schema, url } = await createTestSchema()
  return {
    env: { DATABASE_URL: `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema},public`)}` },
    open: () => openDatabase({ databaseUrl: url, pgSchema: schema }),
    cleanup: () => dropTestSchema(schema),
  }
}

export async function dropTestSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl() })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${schema} cascade`)
  } finally {
    await client.end()
  }
}
