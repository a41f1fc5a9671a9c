import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Store } from '../store/database.ts'
import { SqliteSpoolWriter, type SpoolRow } from './sqlite-spool-writer.ts'

const row = (n: number): SpoolRow => ({
  source: 'smtp',
  received_at: '2026-11-26T01:00:00.000Z',
  mail_from: null,
  rcpt_to: '["support@okpay.com"]',
  remote_address: null,
  raw: Buffer.from(`Message-ID: <w${n}@customer.example>\r\n\r\nbody\r\n`),
  file: null,
})

describe('SqliteSpoolWriter', () => {
  let dir: string
  let store: Store
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'maildesk-writer-'))
    store = await openDatabase({ sqlitePath: path.join(dir, 'maildesk.db') })
  })
  afterEach(async () => {
    await store.destroy()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a batch written while the idle thread is closing goes to a new thread, and the old thread exiting does not fail it', async () => {
    const writer = new SqliteSpoolWriter(path.join(dir, 'maildesk.db'))
    const first = await writer.write([row(1)])
    // What the idle timer does after IDLE_MS, then a message arrives before the old thread has exited.
    ;(writer as unknown as { stop(): void }).stop()
    const second = await writer.write([row(2)])
    const rows = await store.db.selectFrom('raw_messages').select('id').orderBy('id').execute()
    expect(rows.map((r) => Number(r.id))).toEqual([...first, ...second])
    expect(second).toHaveLength(1)
  })
})
