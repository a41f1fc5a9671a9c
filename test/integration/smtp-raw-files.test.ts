import { randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import nodemailer from 'nodemailer'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { rawMessageDir, rawMessageFilePath, readRawMessageFileBytes } from '../../src/intake/raw-message-file.ts'
import type { SmtpIntake } from '../../src/intake/smtp-intake.ts'
import type { Runtime } from '../../src/runtime.ts'
import { buildEmail, tempDir, testConfig } from '../helpers/fixtures.ts'
import { createTestRuntime } from '../helpers/runtime.ts'
import { startTestSmtpIntake } from '../helpers/smtp-intake.ts'
import { testDialects } from '../helpers/test-database.ts'

const MAX_BYTES = 4 * 1024 * 1024

for (const dialect of testDialects()) {
  describe(`${dialect}: SMTP intake spools large messages to files`, () => {
    let rt: Runtime
    let smtp: SmtpIntake
    let port: number
    let dir: string

    beforeEach(async () => {
      rt = await createTestRuntime(dialect, testConfig({ MAILDESK_MAX_MESSAGE_BYTES: String(MAX_BYTES) }))
      dir = rawMessageDir(tempDir())
      ;({ smtp, port } = await startTestSmtpIntake(rt, { maxMessageBytes: MAX_BYTES, rawFilesDir: dir }))
    })
    afterEach(async () => {
      await smtp.close()
      await rt.close()
    })

    const send = (raw: Buffer) =>
      nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true }).sendMail({ envelope: { from: 'a@customer.example', to: ['support@okpay.com'] }, raw })

    it('keeps a small message in the database and a 2 MB one in an encrypted file named by its row', async () => {
      const small = buildEmail({ messageId: '<small@customer.example>' })
      const large = buildEmail({ messageId: '<large@customer.example>', body: randomBytes(1_500_000).toString('base64') })
      await send(small)
      await send(large)
      const rows = await rt.store.db.selectFrom('raw_messages').select(['raw', 'raw_file', 'size_bytes', 'encryption']).orderBy('id').execute()
      expect(rows.map((r) => [r.raw === null, r.raw_file === null, r.size_bytes, r.encryption])).toEqual([
        [false, true, small.length, 'aes-256-gcm'],
        [true, false, large.length, 'aes-256-gcm-stream-v1'],
      ])
      const name = rows[1]?.raw_file ?? ''
      expect(await readdir(dir)).toEqual([name])
      expect((await readRawMessageFileBytes(rawMessageFilePath(dir, name), rt.pipeline.rawMessageKey)).equals(large)).toBe(true)
    })

    it('refuses a message over the limit with 552 and leaves no file behind', async () => {
      const huge = buildEmail({ messageId: '<huge@customer.example>', body: randomBytes(4_000_000).toString('base64') })
      await expect(send(huge)).rejects.toMatchObject({ responseCode: 552 })
      expect(await readdir(dir)).toEqual([])
      expect(await rt.store.db.selectFrom('raw_messages').select('id').execute()).toEqual([])
    })

    it('removes the file when the spool write fails, and answers 451', async () => {
      const drop = rt.store.db.schema.dropTable('raw_messages')
      await (dialect === 'postgres' ? drop.cascade() : drop).execute()
      const large = buildEmail({ messageId: '<lost@customer.example>', body: randomBytes(1_500_000).toString('base64') })
      await expect(send(large)).rejects.toMatchObject({ responseCode: 451 })
      expect(await readdir(dir)).toEqual([])
    })
  })
}
