import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import nodemailer from 'nodemailer'
import { afterAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src/store/database.ts'
import { tempDir } from '../helpers/fixtures.ts'
import { startServeProcess } from '../helpers/serve-process.ts'
import { serveProcessDatabase, testDialects } from '../helpers/test-database.ts'

/**
 * A message above 1 MiB is spooled to an encrypted file while it arrives (intake/raw-message-file.ts), not to a
 * database blob. Its 250 must mean the same: the file and the row that names it survive a SIGKILL right after the
 * reply, and the message is processed after the restart with its attachment byte for byte.
 */
for (const dialect of testDialects()) {
  describe(`${dialect}: a large accepted message is never lost`, () => {
    const cleanups: Array<() => Promise<void>> = []
    afterAll(async () => {
      for (const c of cleanups) await c()
    })

    it('survives a SIGKILL right after its 250 and is processed with its 3 MB attachment intact', async () => {
      const dataDir = tempDir()
      const db = await serveProcessDatabase(dialect, dataDir)
      cleanups.push(db.cleanup)
      const { open } = db
      const env = { ...db.env, MAILDESK_WORKER_LEASE_SECONDS: '2' }
      const content = randomBytes(3_000_000)
      const messageId = '<large-1@customer.example>'

      // The worker is stopped by the kill before it can finish: the 250 is all the sender has.
      const first = await startServeProcess({ dataDir, env })
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: first.smtpPort, ignoreTLS: true, socketTimeout: 20_000 })
      const info = await transport.sendMail({
        envelope: { from: 'a@customer.example', to: ['support@okpay.com'] },
        from: 'Li Wei <li.wei@customer.example>',
        to: 'support@okpay.com',
        subject: 'statement',
        messageId,
        text: 'see the attached statement',
        attachments: [{ filename: 'statement.bin', content, contentType: 'application/octet-stream' }],
      })
      first.child.kill('SIGKILL')
      await first.exited
      expect(info.response).toMatch(/^250/)
      const files = await readdir(path.join(dataDir, 'spool', 'raw'))
      expect(files.filter((f) => f.endsWith('.raw'))).toHaveLength(1)

      const second = await startServeProcess({ dataDir, env })
      let store: Store | undefined
      try {
        store = await open()
        const raw = await store.db.selectFrom('raw_messages').select(['raw', 'raw_file', 'size_bytes', 'status']).executeTakeFirstOrThrow()
        expect(raw.raw).toBeNull()
        expect(raw.raw_file).toBe(files.find((f) => f.endsWith('.raw')))
        const deadline = Date.now() + 60_000
        let attachment: { sha256: string; size_bytes: number; filename: string } | undefined
        while (!attachment && Date.now() < deadline) {
          attachment = await store.db
            .selectFrom('attachments')
            .innerJoin('ticket_messages', 'ticket_messages.id', 'attachments.message_id')
            .select(['attachments.sha256', 'attachments.size_bytes', 'attachments.filename'])
            .where('ticket_messages.message_id_header', '=', messageId)
            .executeTakeFirst()
          if (!attachment) await new Promise((r) => setTimeout(r, 200))
        }
        const sha256 = createHash('sha256').update(content).digest('hex')
        expect(attachment).toEqual({ sha256, size_bytes: content.length, filename: 'statement.bin' })
        const onDisk = await readFile(path.join(dataDir, 'attachments', sha256.slice(0, 2), sha256.slice(2, 4), sha256))
        expect(onDisk.equals(content)).toBe(true)
        const messages = await store.db.selectFrom('ticket_messages').select('id').where('message_id_header', '=', messageId).execute()
        expect(messages).toHaveLength(1)
      } finally {
        await store?.destroy()
        await second.stop()
      }
    }, 120_000)
  })
}
