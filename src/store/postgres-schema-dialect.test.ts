import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestSchema, dropTestSchema, testPostgresUrl } from '../../test/helpers/test-database.ts'
import { openDatabase, type Store } from './database.ts'

describe.skipIf(!process.env.TEST_POSTGRES_URL)('postgres: the schema-scoped introspector', () => {
  let ours: { schema: string; url: string }
  let theirs: { schema: string; url: string }
  let store: Store
  let admin: pg.Client

  beforeAll(async () => {
    ours = await createTestSchema()
    theirs = await createTestSchema()
    admin = new pg.Client({ connectionString: testPostgresUrl() })
    await admin.connect()
    await admin.query(`create table ${theirs.schema}.intruder (id serial primary key)`)
    store = await openDatabase({ databaseUrl: ours.url, pgSchema: ours.schema, maxConnections: 2 })
    await admin.query(
      `create table ${ours.schema}.probe (id serial primary key, seq bigint generated always as identity, note text not null default 'x', at timestamptz)`,
    )
    await admin.query(`comment on column ${ours.schema}.probe.note is 'free text'`)
  })

  afterAll(async () => {
    await store?.destroy()
    await admin?.end()
    for (const s of [ours, theirs]) if (s) await dropTestSchema(s.schema)
  })

  it('lists the tables of its own schema only, without the migrator bookkeeping unless asked', async () => {
    const tables = await store.db.introspection.getTables()
    expect(tables.every((t) => t.schema === ours.schema)).toBe(true)
    expect(tables.map((t) => t.name)).toContain('tickets')
    expect(tables.map((t) => t.name)).toContain('probe')
    expect(tables.map((t) => t.name)).not.toContain('intruder')
    expect(tables.map((t) => t.name)).not.toContain('kysely_migration')

    const withInternal = await store.db.introspection.getTables({ withInternalKyselyTables: true })
    expect(withInternal.map((t) => t.name)).toEqual(expect.arrayContaining(['kysely_migration', 'kysely_migration_lock']))
  })

  it("describes a table's columns as Kysely's own introspector does", async () => {
    const probe = (await store.db.introspection.getTables()).find((t) => t.name === 'probe')
    expect(probe).toEqual({
      name: 'probe',
      schema: ours.schema,
      isView: false,
      columns: [
        { name: 'id', dataType: 'int4', dataTypeSchema: 'pg_catalog', isNullable: false, hasDefaultValue: true, isAutoIncrementing: true },
        { name: 'seq', dataType: 'int8', dataTypeSchema: 'pg_catalog', isNullable: false, hasDefaultValue: false, isAutoIncrementing: true },
        {
          name: 'note',
          dataType: 'text',
          dataTypeSchema: 'pg_catalog',
          isNullable: false,
          hasDefaultValue: true,
          isAutoIncrementing: false,
          comment: 'free text',
        },
        { name: 'at', dataType: 'timestamptz', dataTypeSchema: 'pg_catalog', isNullable: true, hasDefaultValue: false, isAutoIncrementing: false },
      ],
    })
  })

  it('migrates a new schema while other installations create, alter and drop theirs', async () => {
    // The race that made `serve` fail to start beside other installations: their DDL during our catalog read.
    let churning = true
    const churner = new pg.Client({ connectionString: testPostgresUrl() })
    await churner.connect()
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const s = `${theirs.schema}_${i}`
        await churner.query(`create schema ${s}`)
        await churner.query(`create table ${s}.t (id serial primary key, a text)`)
        await churner.query(`alter table ${s}.t add column b text`)
        await churner.query(`drop schema ${s} cascade`)
      }
    })()
    try {
      for (let i = 0; i < 4; i++) {
        const fresh = await createTestSchema()
        try {
          const other = await openDatabase({ databaseUrl: fresh.url, pgSchema: fresh.schema, maxConnections: 2 })
          const tables = await other.db.introspection.getTables()
          await other.destroy()
          expect(tables.map((t) => t.name)).toContain('tickets')
        } finally {
          await dropTestSchema(fresh.schema)
        }
      }
    } finally {
      churning = false
      await churn
      await churner.end()
    }
  })
})
