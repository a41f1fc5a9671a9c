import net from 'node:net'
import nodemailer from 'nodemailer'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listRawMessages } from '../../src/intake/raw-message.repository.ts'
import type { SmtpIntake } from '../../src/intake/smtp-intake.ts'
import type { Runtime } from '../../src/runtime.ts'
import { buildEmail, testConfig } from '../helpers/fixtures.ts'
import { createTestRuntime } from '../helpers/runtime.ts'
import { startTestSmtpIntake } from '../helpers/smtp-intake.ts'
import { testDialects } from '../helpers/test-database.ts'

const MAX_BYTES = 64 * 1024

for (const dialect of testDialects()) {
  describe(`${dialect}: SMTP intake over a real socket`, () => {
    let rt: Runtime
    let smtp: SmtpIntake
    let port: number

    beforeEach(async () => {
      rt = await createTestRuntime(dialect, testConfig({ MAILDESK_MAX_MESSAGE_BYTES: String(MAX_BYTES) }))
      ;({ smtp, port } = await startTestSmtpIntake(rt, { maxMessageBytes: MAX_BYTES }))
    })
    afterEach(async () => {
      await smtp.close()
      await rt.close()
    })

    const transport = () =>
      nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: false })

    it('answers 250 only once the raw message is committed: it is in the database when sendMail resolves', async () => {
      const info = await transport().sendMail({
        envelope: { from: 'li.wei@customer.example', to: ['support@okpay.com'] },
        raw: buildEmail({ messageId: '<smtp-1@customer.example>' }),
      })
      expect(info.response).toMatch(/^250 2.0.0 OK: queued as \d+$/)
      const rows = await listRawMessages(rt.store.db, { limit: 10, offset: 0 })
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ source: 'smtp', mail_from: 'li.wei@customer.example', rcpt_to: '["support@okpay.com"]', status: 'pending' })
    })

    it('refuses recipients that are not official addresses with 550', async () => {
      await expect(
        transport().sendMail({ envelope: { from: 'a@customer.example', to: ['ceo@okpay.com'] }, raw: buildEmail({}) }),
      ).rejects.toMatchObject({ responseCode: 550, response: expect.stringContaining('ceo@okpay.com is not an address of this service') })
      expect(await listRawMessages(rt.store.db, { limit: 10, offset: 0 })).toHaveLength(0)
    })

    it('compares recipients in ASCII case only: a look-alike (Kelvin sign for k) is refused, not folded into ours', async () => {
      const socket = net.connect({ host: '127.0.0.1', port })
      let transcript = ''
      socket.setEncoding('utf8')
      socket.on('data', (d: string) => (transcript += d))
      const closed = new Promise((resolve) => socket.once('close', resolve))
      socket.write('EHLO client.test\r\nMAIL FROM:<a@customer.example>\r\nRCPT TO:<support@o\u212Apay.com>\r\nRCPT TO:<SUPPORT@OKPay.COM>\r\nQUIT\r\n')
      await closed
      expect(transcript.split('\r\n').filter((l) => /^(550|250 2\.1\.5)/.test(l))).toEqual([
        '550 5.1.1 mailbox unavailable: this address is not an address of this service',
        '250 2.1.5 OK',
      ])
    })

    it('announces SIZE and refuses a larger message with 552', async () => {
      const big = buildEmail({ body: 'x'.repeat(MAX_BYTES + 10) })
      const t = transport()
      await expect(t.sendMail({ envelope: { from: 'a@customer.example', to: ['support@okpay.com'] }, raw: big })).rejects.toMatchObject({
        responseCode: 552,
      })
      expect(await listRawMessages(rt.store.db, { limit: 10, offset: 0 })).toHaveLength(0)
    })

    it('stores one message sent to several official addresses once, and it becomes one ticket', async () => {
      await transport().sendMail({
        envelope: { from: 'a@customer.example', to: ['support@okpay.com', 'security@okpay.com'] },
        raw: buildEmail({ to: 'support@okpay.com, security@okpay.com', messageId: '<multi@customer.example>' }),
      })
      const results = await rt.worker.runUntilIdle()
      expect(results).toHaveLength(1)
      expect(results[0]).toMatchObject({ ok: true, outcome: { status: 'created', ticketNumber: 'OKP-1001' } })
    })

    it('accepts many parallel connections and acknowledges every message exactly once', async () => {
      const pool = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true, pool: true, maxConnections: 10 })
      const sends = Array.from({ length: 50 }, (_, i) =>
        pool.sendMail({
          envelope: { from: 'a@customer.example', to: ['support@okpay.com'] },
          raw: buildEmail({ messageId: `<p${i}@customer.example>` }),
        }),
      )
      const infos = await Promise.all(sends)
      pool.close()
      const ids = new Set(infos.map((i) => i.response))
      expect(ids.size).toBe(50)
      expect(await listRawMessages(rt.store.db, { limit: 100, offset: 0 })).toHaveLength(50)
    })
  })
}
