import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../store/database.ts'
import { createTestDatabase, testDialects } from '../../test/helpers/test-database.ts'
import { decryptRawMessage } from './raw-message-crypto.ts'
import { isRowRefused, RawMessageSpool } from './raw-message-spool.ts'

const KEY = Buffer.alloc(32, 7)

// SQLite on a file: the batches go through the writer thread's own connection. ':memory:' and PostgreSQL: Kysely.
const setups = [...testDialects().map((dialect) => ({ name: dialect, dialect, file: false })), { name: 'sqlite file (writer thread)', dialect: 'sqlite' as const, file: true }]

for (const setup of setups) {
  describe(`${setup.name}: raw message spool`, () => {
    let store: Store
    let dir: string
    beforeEach(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'maildesk-spool-'))
      store = await createTestDatabase(setup.dialect, setup.file ? path.join(dir, 'maildesk.db') : ':memory:')
    })
    afterEach(async () => {
      await store.destroy()
      rmSync(dir, { recursive: true, force: true })
    })

    it('gives each of many parallel messages its own id, committed and readable once the promise resolves', async () => {
      const spool = new RawMessageSpool(store.db, KEY, 7)
      let batches = 0
      spool.onSpooled(() => batches++)
      const raws = Array.from({ length: 60 }, (_, i) => Buffer.from(`Message-ID: <m${i}@customer.example>\r\n\r\nbody ${i}\r\n`))
      const ids = await Promise.all(raws.map((raw, i) => spool.spool({ raw, source: 'smtp', mailFrom: `s${i}@customer.example`, rcptTo: ['support@okpay.com'] })))
      expect(new Set(ids).size).toBe(60)
      expect(batches).toBeGreaterThanOrEqual(Math.ceil(60 / 7))
      const rows = await store.db.selectFrom('raw_messages').select(['id', 'mail_from', 'sha256', 'raw', 'encryption', 'status', 'rcpt_to']).execute()
      expect(rows).toHaveLength(60)
      const byId = new Map(rows.map((r) => [Number(r.id), r]))
      raws.forEach((raw, i) => {
        const row = byId.get(ids[i] as number)
        expect(row).toMatchObject({ mail_from: `s${i}@customer.example`, sha256: createHash('sha256').update(raw).digest('hex'), encryption: 'aes-256-gcm', status: 'pending', rcpt_to: '["support@okpay.com"]' })
        expect(decryptRawMessage(KEY, Buffer.from(row?.raw ?? new Uint8Array()))).toEqual(raw)
      })
    })

    it('refuses only the bad row of a batch: the messages that shared its transaction are stored', async () => {
      const spool = new RawMessageSpool(store.db, KEY)
      let batches = 0
      spool.onSpooled(() => batches++)
      // Queued together, so written as one batch; the third breaks a NOT NULL constraint on every database (on
      // PostgreSQL a NUL byte in the sender would do the same).
      const results = await Promise.allSettled(
        [1, 2, 3, 4, 5].map((i) => spool.spool({ raw: Buffer.from(`m${i}`), source: (i === 3 ? null : 'smtp') as 'smtp', mailFrom: `s${i}@customer.example` })),
      )
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
      const rows = await store.db.selectFrom('raw_messages').select('mail_from').orderBy('id').execute()
      expect(rows.map((r) => r.mail_from)).toEqual(['s1@customer.example', 's2@customer.example', 's4@customer.example', 's5@customer.example'])
      expect(batches).toBe(4)
    })

    it('refuses a whole batch at once when the write itself fails, instead of trying each row against it', async () => {
      const spool = new RawMessageSpool(store.db, KEY)
      await spool.spool({ raw: Buffer.from('a'), source: 'file' })
      await store.db.schema.alterTable('raw_messages').renameTo('raw_messages_gone').execute()
      const results = await Promise.allSettled([1, 2, 3].map((i) => spool.spool({ raw: Buffer.from(`m${i}`), source: 'smtp' })))
      const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : undefined))
      expect(reasons.every((r) => r instanceof Error && /raw_messages/.test(r.message))).toBe(true)
      // One attempt, one error for the three: a missing table is no refused row.
      expect(new Set(reasons).size).toBe(1)
      expect(isRowRefused(reasons[0])).toBe(false)
      await store.db.schema.alterTable('raw_messages_gone').renameTo('raw_messages').execute()
    })

    it('rejects the waiting messages when the write fails, and goes on working afterwards', async () => {
      const spool = new RawMessageSpool(store.db)
      const ok = await spool.spool({ raw: Buffer.from('a'), source: 'file' })
      await store.db.schema.alterTable('raw_messages').renameTo('raw_messages_gone').execute()
      await expect(spool.spool({ raw: Buffer.from('b'), source: 'file' })).rejects.toThrow(/raw_messages/)
      await store.db.schema.alterTable('raw_messages_gone').renameTo('raw_messages').execute()
      const next = await spool.spool({ raw: Buffer.from('c'), source: 'file' })
      expect(next).toBeGreaterThan(ok)
    })
  })
}
