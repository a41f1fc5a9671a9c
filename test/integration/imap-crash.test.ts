import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src/store/database.ts'
import { appendMessages, buildTestMessage, startDovecot, type DovecotServer, type DovecotUser } from '../helpers/dovecot.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { startServeProcess } from '../helpers/serve-process.ts'
import { serveProcessDatabase, testDialects } from '../helpers/test-database.ts'

const USERS: DovecotUser[] = [
  { user: 'crash-sqlite@okpay.com', password: 'pw-sqlite' },
  { user: 'crash-postgres@okpay.com', password: 'pw-postgres' },
]
const COUNT = 200

async function countRaw(store: Store): Promise<number> {
  const row = await store.db.selectFrom('raw_messages').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

describe('IMAP intake survives SIGKILL in the middle of a fetch', () => {
  let dovecot: DovecotServer
  beforeAll(async () => {
    dovecot = await startDovecot(USERS)
  }, 30_000)
  afterAll(async () => {
    await dovecot?.destroy()
  })

  for (const dialect of testDialects()) {
    it(`${dialect}: every message is spooled exactly once across kills and restarts of maildesk serve`, async () => {
      const user = dialect === 'sqlite' ? USERS[0] : USERS[1]
      if (!user) throw new Error('no user')
      const dataDir = tempDir()
      // A killed reader's mailbox lease (and worker lease) runs out quickly here, so the test need not wait.
      const { env: dbEnv, open, cleanup } = await serveProcessDatabase(dialect, dataDir)
      const env: Record<string, string> = { ...dbEnv, MAILDESK_WORKER_LEASE_SECONDS: '2', MAILDESK_IMAP_LEASE_SECONDS: '1' }
      writeFileSync(path.join(dataDir, 'imap.password'), user.password)
      writeFileSync(
        path.join(dataDir, 'mailboxes.json'),
        JSON.stringify([
          { name: 'support', host: '127.0.0.1', port: dovecot.port, tls: false, allowPlaintext: true, user: user.user, passwordFile: 'imap.password', afterFetch: 'move:Done', address: 'support@okpay.com' },
        ]),
      )
      env.MAILDESK_IMAP_MAILBOXES_FILE = path.join(dataDir, 'mailboxes.json')
      const numbers = Array.from({ length: COUNT }, (_, i) => (dialect === 'sqlite' ? 1000 : 2000) + i)
      await appendMessages(dovecot, numbers.map((n) => buildTestMessage(n)), 'INBOX', user)

      // The first start creates the schema; the watcher below opens it after that.
      let server = await startServeProcess({ dataDir, env })
      const store = await open()
      try {
        // Kill it twice while it is fetching, at a different point of progress each time.
        for (const target of [30, 110]) {
          while ((await countRaw(store)) < target) await new Promise((r) => setTimeout(r, 5))
          await server.stop('SIGKILL')
          server = await startServeProcess({ dataDir, env })
        }
        // Done when the folder is empty and everything arrived; the position may lag behind (a reader killed
        // after the move but before recording it), which is harmless: the moved messages are gone from INBOX.
        const client = await dovecot.connect(user)
        const deadline = Date.now() + 60_000
        for (;;) {
          const inbox = await client.status('INBOX', { messages: true })
          if (inbox && inbox.messages === 0 && (await countRaw(store)) >= COUNT) break
          if (Date.now() > deadline) throw new Error(`not finished: inbox=${inbox && inbox.messages} raw=${await countRaw(store)}`)
          await new Promise((r) => setTimeout(r, 100))
        }
        await new Promise((r) => setTimeout(r, 1000)) // room for a late duplicate to show up, if there were one
        const done = await client.status('Done', { messages: true })
        await client.logout()
        expect(done && done.messages).toBe(COUNT)
        // The raw bytes may be encrypted at rest; their digest is of the bytes as received.
        const raws = await store.db.selectFrom('raw_messages').select(['sha256', 'source']).orderBy('id').execute()
        expect(raws.map((r) => r.sha256)).toEqual(numbers.map((n) => createHash('sha256').update(buildTestMessage(n)).digest('hex')))
        expect(new Set(raws.map((r) => r.source))).toEqual(new Set(['imap']))
      } finally {
        await store.destroy()
        await server.stop()
        await cleanup()
      }
    }, 240_000) // four starts of `maildesk serve` on a loaded CI machine
  }
})
