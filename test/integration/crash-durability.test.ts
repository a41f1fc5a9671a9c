import nodemailer from 'nodemailer'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { decryptRawMessage, deriveRawMessageKey } from '../../src/intake/raw-message-crypto.ts'
import type { Store } from '../../src/store/database.ts'
import { buildEmail, tempDir } from '../helpers/fixtures.ts'
import { startServeProcess, type ServeProcess } from '../helpers/serve-process.ts'
import { serveProcessDatabase, testDialects } from '../helpers/test-database.ts'

type Server = ServeProcess

/**
 * Sends messages over several connections until the server dies; returns the Message-IDs that got a 250.
 * Every message that got a 250 must be in the database afterwards.
 */
async function sendUntilKilled(server: Server, round: number, killAfterMs: number): Promise<string[]> {
  const acked: string[] = []
  let alive = true
  // The kill comes at a random moment after the first few acknowledgements, however slow the machine is.
  const waitForAcks = setInterval(() => {
    if (acked.length < 8) return
    clearInterval(waitForAcks)
    setTimeout(() => {
      alive = false
      server.child.kill('SIGKILL')
    }, killAfterMs)
  }, 10)
  const sender = async (lane: number) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.smtpPort, ignoreTLS: true, pool: false, socketTimeout: 5000 })
    for (let i = 0; alive; i++) {
      const messageId = `<crash-${round}-${lane}-${i}@customer.example>`
      try {
        const info = await transport.sendMail({
          envelope: { from: 'a@customer.example', to: ['support@okpay.com'] },
          raw: buildEmail({ messageId, body: `round ${round} lane ${lane} message ${i}` }),
        })
        if (info.response.startsWith('250')) acked.push(messageId)
      } catch {
        return // connection refused or reset: the server is gone
      }
    }
  }
  await Promise.all([0, 1, 2, 3].map(sender))
  await server.exited
  return acked
}

for (const dialect of testDialects()) {
  describe(`${dialect}: an accepted message is never lost`, () => {
    const cleanups: Array<() => Promise<void>> = []
    afterAll(async () => {
      for (const c of cleanups) await c()
    })

    it('finds every message that got a 250 after the server is SIGKILLed at random moments and restarted', async () => {
      const dataDir = tempDir()
      const db = await serveProcessDatabase(dialect, dataDir)
      cleanups.push(db.cleanup)
      const { env, open } = db

      // A killed worker's claim is taken over after the lease; short here so the test need not wait minutes.
      env.MAILDESK_WORKER_LEASE_SECONDS = '2'
      const acked: string[] = []
      for (let round = 0; round < 4; round++) {
        const server = await startServeProcess({ dataDir, env })
        acked.push(...(await sendUntilKilled(server, round, Math.floor(Math.random() * 500))))
      }
      expect(acked.length).toBeGreaterThan(20)

      // A last start lets the worker process what was spooled but not yet processed when it was killed.
      const server = await startServeProcess({ dataDir, env })
      let store: Store | undefined
      try {
        store = await open()
        // The promise of a 250: the raw bytes are in the database.
        const key = deriveRawMessageKey(loadConfig({ MAILDESK_DATA_DIR: dataDir }).secretKey)
        const raws = await store.db.selectFrom('raw_messages').select(['raw', 'encryption']).execute()
        const rawText = raws
          .map((r) => (r.raw && r.encryption ? decryptRawMessage(key, r.raw) : Buffer.from(r.raw ?? new Uint8Array())).toString('latin1'))
          .join('\n')
        expect(acked.filter((id) => !rawText.includes(id))).toEqual([])

        const deadline = Date.now() + 90_000
        let pending = 1
        while (pending > 0 && Date.now() < deadline) {
          const row = await store.db
            .selectFrom('raw_messages')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('status', 'in', ['pending', 'processing'])
            .executeTakeFirstOrThrow()
          pending = Number(row.n)
          if (pending > 0) await new Promise((r) => setTimeout(r, 200))
        }
        const stored = await store.db.selectFrom('ticket_messages').select('message_id_header').execute()
        const storedIds = new Set(stored.map((r) => r.message_id_header))
        const lost = acked.filter((id) => !storedIds.has(id))
        expect(lost).toEqual([])
        // Each acknowledged message is stored exactly once (the unique index would refuse a second).
        expect(stored.filter((r) => r.message_id_header?.startsWith('<crash-')).length).toBeGreaterThanOrEqual(acked.length)
      } finally {
        await store?.destroy()
        await server.stop()
      }
    }, 240_000)
  })
}

