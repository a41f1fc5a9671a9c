import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../logger.ts'
import type { Store } from '../store/database.ts'
import { createTestDatabase, testDialects } from '../../test/helpers/test-database.ts'
import { decryptRawMessage } from './raw-message-crypto.ts'
import { RawMessageSpool } from './raw-message-spool.ts'
import { decodeRecords, encodeRecord, segmentFileName, type JournalMeta } from './spool-journal-format.ts'
import { SpoolJournal } from './spool-journal.ts'

const KEY = Buffer.alloc(32, 9)

const meta = (n: number): JournalMeta => ({
  source: 'smtp',
  received_at: '2026-11-26T08:00:00.000Z',
  mail_from: `s${n}@customer.example`,
  rcpt_to: '["support@okpay.com"]',
  remote_address: '192.0.2.7',
  size_bytes: 5,
  sha256: 'ab'.repeat(32),
  encryption: 'aes-256-gcm',
  raw_file: null,
})

describe('spool journal records', () => {
  const three = Buffer.concat([1, 2, 3].map((n) => encodeRecord(4, n, meta(n), Buffer.from(`body${n}`))))

  it('reads back every record of a segment, in order', () => {
    expect(decodeRecords(three, 4).map((r) => [r.segment, r.sequence, r.meta.mail_from, r.body.toString()])).toEqual([
      [4, 1, 's1@customer.example', 'body1'],
      [4, 2, 's2@customer.example', 'body2'],
      [4, 3, 's3@customer.example', 'body3'],
    ])
  })

  it('stops at a torn record, a changed byte, a record of the segment file before it was reused, and at zeros', () => {
    expect(decodeRecords(three.subarray(0, three.length - 1), 4).map((r) => r.sequence)).toEqual([1, 2])
    const flipped = Buffer.from(three)
    flipped[flipped.length - 3] = (flipped[flipped.length - 3] ?? 0) ^ 1
    expect(decodeRecords(flipped, 4).map((r) => r.sequence)).toEqual([1, 2])
    // The file was segment 4 before; read as segment 9 its old records are not this segment's.
    expect(decodeRecords(three, 9)).toEqual([])
    const reused = Buffer.concat([encodeRecord(9, 1, meta(7), Buffer.from('new')), three.subarray(60)])
    expect(decodeRecords(reused, 9).map((r) => r.body.toString())).toEqual(['new'])
    expect(decodeRecords(Buffer.concat([three, Buffer.alloc(4096)]), 4)).toHaveLength(3)
  })

  it('reads a range that starts in the middle of a segment from its first sequence', () => {
    const second = encodeRecord(4, 1, meta(1), Buffer.from('body1')).length
    expect(decodeRecords(three.subarray(second), 4, 2).map((r) => r.sequence)).toEqual([2, 3])
    expect(decodeRecords(three.subarray(second), 4, 1)).toEqual([])
  })
})

/** A pid no process has now: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid as number
}

const message = (n: number) => Buffer.from(`Message-ID: <j${n}@customer.example>\r\nSubject: test ${n}\r\n\r\n${'body '.repeat(400)}${n}\r\n`)

for (const dialect of testDialects()) {
  describe(`${dialect}: spool journal`, () => {
    let store: Store
    let dir: string
    let root: string
    beforeEach(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'maildesk-journal-'))
      root = path.join(dir, 'spool', 'journal')
      // A file, so SQLite imports go through the spool's writer thread as in `serve`.
      store = await createTestDatabase(dialect, path.join(dir, 'maildesk.db'))
    })
    afterEach(async () => {
      await store.destroy()
      rmSync(dir, { recursive: true, force: true })
    })

    const rawRows = () => store.db.selectFrom('raw_messages').select(['spool_key', 'raw', 'sha256', 'mail_from', 'size_bytes']).orderBy('id').execute()

    it('acknowledges each message with its key once synced, imports it encrypted, and removes the journal on close', async () => {
      const spool = new RawMessageSpool(store.db, KEY)
      const journal = await SpoolJournal.open({ root, rawMessageKey: KEY, spool, log: silentLogger })
      const keys = await Promise.all([1, 2, 3].map((n) => journal.append({ raw: message(n), source: 'smtp', mailFrom: `s${n}@customer.example`, rcptTo: ['support@okpay.com'] })))
      expect(keys).toEqual([`${journal.name}/1/1`, `${journal.name}/1/2`, `${journal.name}/1/3`])
      await journal.drain()
      const rows = await rawRows()
      expect(rows.map((r) => [r.spool_key, r.mail_from, r.size_bytes])).toEqual(keys.map((k, i) => [k, `s${i + 1}@customer.example`, message(i + 1).length]))
      rows.forEach((r, i) => {
        expect(decryptRawMessage(KEY, r.raw as Uint8Array).equals(message(i + 1))).toBe(true)
        expect(r.sha256).toBe(createHash('sha256').update(message(i + 1)).digest('hex'))
      })
      await journal.close()
      expect(await readdir(root)).toEqual([])
    })

    it('moves through small segments, importing every record once and reusing imported segment files', async () => {
      const spool = new RawMessageSpool(store.db, KEY)
      const journal = await SpoolJournal.open({ root, rawMessageKey: KEY, spool, log: silentLogger, segmentBytes: 16 * 1024 })
      const keys: string[] = []
      for (let n = 1; n <= 30; n++) keys.push(await journal.append({ raw: message(n), source: 'smtp' }))
      // ~2.4 KiB records: 6 fit a 16 KiB segment, then the next segment starts at sequence 1.
      const positions = keys.map((k) => k.slice(journal.name.length + 1).split('/').map(Number))
      expect(positions.slice(0, 8)).toEqual([[1, 1], [1, 2], [1, 3], [1, 4], [1, 5], [1, 6], [2, 1], [2, 2]])
      expect(positions.at(-1)).toEqual([5, 6])
      await journal.drain()
      expect((await rawRows()).map((r) => r.spool_key)).toEqual(keys)
      // Finished segments are gone or became the spare: what is left is the segment in use, the spare and the owner.
      expect((await readdir(journal.dir)).sort()).toEqual([segmentFileName(5), 'owner.json', 'spare.seg'])
      await journal.close()
    })

    it('accepts mail while the database is down, and the next start imports it exactly once', async () => {
      const down = await createTestDatabase('sqlite', path.join(dir, 'down.db'))
      await down.destroy()
      const first = await SpoolJournal.open({ root, rawMessageKey: KEY, spool: new RawMessageSpool(down.db, KEY), log: silentLogger })
      const keys = await Promise.all([1, 2].map((n) => first.append({ raw: message(n), source: 'smtp' })))
      expect(first.backlog()).toBe(2)
      // Stopping while the import fails leaves the journal in place.
      await first.close()
      expect(await readdir(root)).toEqual([first.name])
      // The process is gone: same host, its pid no longer runs.
      const owner = path.join(first.dir, 'owner.json')
      await writeFile(owner, JSON.stringify({ ...JSON.parse(await readFile(owner, 'utf8')), pid: deadPid() }))

      const spool = new RawMessageSpool(store.db, KEY)
      // A record already imported before the crash is not stored twice.
      const [segment] = [decodeRecords(await readFile(path.join(first.dir, segmentFileName(1))), 1)]
      await spool.importJournaled(first.name, segment?.slice(0, 1) ?? [])
      const second = await SpoolJournal.open({ root, rawMessageKey: KEY, spool, log: silentLogger })
      expect((await rawRows()).map((r) => r.spool_key)).toEqual(keys)
      expect(await readdir(root)).toEqual([second.name])
      await second.close()
      expect(await readdir(root)).toEqual([])
    })

    it("leaves another host's journal alone while its heartbeat is fresh, and takes it over after two minutes of silence", async () => {
      const other = path.join(root, 'mx2-4242-0badf00d')
      await mkdir(other, { recursive: true })
      await writeFile(path.join(other, 'owner.json'), JSON.stringify({ host: 'mx2.okpay.internal', pid: 4242 }))
      await writeFile(path.join(other, segmentFileName(1)), Buffer.concat([encodeRecord(1, 1, meta(1), Buffer.from('x')), Buffer.alloc(1024)]))
      const spool = new RawMessageSpool(store.db, KEY)
      const live = await SpoolJournal.open({ root, rawMessageKey: KEY, spool, log: silentLogger })
      await live.close()
      expect(await rawRows()).toEqual([])
      expect(await readdir(root)).toEqual(['mx2-4242-0badf00d'])

      const threeMinutesAgo = new Date(Date.now() - 3 * 60_000)
      await utimes(path.join(other, 'owner.json'), threeMinutesAgo, threeMinutesAgo)
      const taker = await SpoolJournal.open({ root, rawMessageKey: KEY, spool, log: silentLogger })
      expect((await rawRows()).map((r) => [r.spool_key, r.mail_from])).toEqual([['mx2-4242-0badf00d/1/1', 's1@customer.example']])
      await taker.close()
      expect(await readdir(root)).toEqual([])
    })
  })
}
