import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { findRawMessageSummary, listRawMessages } from '../../src/intake/raw-message.repository.ts'
import type { Runtime } from '../../src/runtime.ts'
import { getTicketWithThread } from '../../src/tickets/ticket.service.ts'
import { buildEmail } from '../helpers/fixtures.ts'
import { createTestRuntime } from '../helpers/runtime.ts'
import { testDialects } from '../helpers/test-database.ts'

const withAttachment = Buffer.from(
  [
    'From: Zhang San <zhang.san@customer.example>',
    'To: support@okpay.com',
    'Subject: =?UTF-8?B?6YCA5qy+55Sz6K+3?=',
    'Message-ID: <att-1@customer.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    '请看附件里的截图。',
    '--b1',
    'Content-Type: image/png',
    'Content-Disposition: attachment; filename="screenshot.png"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('fake image bytes')]).toString('base64'),
    '--b1--',
    '',
  ].join('\r\n'),
)

for (const dialect of testDialects()) {
  describe(`${dialect}: spool → parse → thread → store`, () => {
    let rt: Runtime
    beforeEach(async () => {
      rt = await createTestRuntime(dialect)
    })
    afterEach(async () => {
      await rt.close()
    })

    async function ingest(raw: Buffer) {
      const id = await rt.spool.spool({ raw, source: 'smtp', mailFrom: 'bounce@customer.example', rcptTo: ['support@okpay.com'] })
      const results = await rt.worker.runUntilIdle()
      const result = results.find((r) => r.rawMessageId === id)
      if (!result) throw new Error(`raw message ${id} was not processed`)
      return result
    }

    it('turns a first message into ticket OKP-1001 with its customer, message and a created event', async () => {
      const result = await ingest(buildEmail({ messageId: '<first@customer.example>' }))
      expect(result).toMatchObject({ ok: true, outcome: { status: 'created', ticketNumber: 'OKP-1001' } })
      if (!result.ok) return
      const t = await getTicketWithThread(rt.store.db, result.outcome.ticketId)
      expect(t.ticket).toMatchObject({ subject: 'Payment failed', status: 'new', channel: 'email' })
      expect(t.customer?.email).toBe('li.wei@customer.example')
      expect(t.messages).toHaveLength(1)
      expect(t.messages[0]).toMatchObject({
        direction: 'inbound',
        message_id_header: '<first@customer.example>',
        from_address: 'li.wei@customer.example',
        from_name: 'Li Wei',
        sent_at: '2026-11-25T02:00:00.000Z',
      })
      expect(t.messages[0]?.text_body).toContain('My payment of 100 CNY failed this morning.')
      expect(t.events.map((e) => e.type)).toEqual(['created', 'acknowledgement_sent'])
    })

    it('adds a reply to the ticket of the message it references, even with another subject', async () => {
      await ingest(buildEmail({ messageId: '<first@customer.example>' }))
      const reply = await ingest(
        buildEmail({ messageId: '<second@customer.example>', inReplyTo: '<first@customer.example>', subject: 'More details', body: 'It was order 8812.' }),
      )
      expect(reply).toMatchObject({ ok: true, outcome: { status: 'joined', ticketNumber: 'OKP-1001' } })
    })

    it('stores the same Message-ID from the same sender once and records the re-delivery on the ticket', async () => {
      const first = await ingest(buildEmail({ messageId: '<same@customer.example>' }))
      const again = await ingest(buildEmail({ messageId: '<same@customer.example>' }))
      expect(again).toMatchObject({ ok: true, outcome: { status: 'duplicate', ticketNumber: 'OKP-1001' } })
      if (!first.ok) return
      const t = await getTicketWithThread(rt.store.db, first.outcome.ticketId)
      expect(t.messages).toHaveLength(1)
      expect(t.events.map((e) => e.type)).toEqual(['created', 'acknowledgement_sent', 'duplicate_delivery'])
      expect(await findRawMessageSummary(rt.store.db, again.rawMessageId)).toMatchObject({ status: 'duplicate', message_id: t.messages[0]?.id })
    })

    it('does not let another sender swallow a message by reusing its Message-ID', async () => {
      await ingest(buildEmail({ messageId: '<taken@customer.example>' }))
      const other = await ingest(buildEmail({ messageId: '<taken@customer.example>', from: 'mallory@evil.example' }))
      expect(other).toMatchObject({ ok: true, outcome: { status: 'created', ticketNumber: 'OKP-1002' } })
      if (!other.ok) return
      const t = await getTicketWithThread(rt.store.db, other.outcome.ticketId)
      expect(t.messages[0]?.message_id_header).toBeNull()
      expect(JSON.parse(t.messages[0]?.warnings ?? '[]')).toContainEqual({ code: 'MESSAGE_ID_REUSED' })
    })

    it('decodes an encoded-word subject and stores the attachment on disk by content hash', async () => {
      const result = await ingest(withAttachment)
      if (!result.ok) throw new Error(result.message)
      const t = await getTicketWithThread(rt.store.db, result.outcome.ticketId)
      expect(t.ticket.subject).toBe('退款申请')
      expect(t.attachments).toHaveLength(1)
      const a = t.attachments[0]
      expect(a).toMatchObject({ filename: 'screenshot.png', content_type: 'image/png', disposition: 'attachment', size_bytes: 24 })
      expect(existsSync(rt.pipeline.attachments.pathOf(a?.sha256 ?? ''))).toBe(true)
      expect(path.basename(rt.pipeline.attachments.pathOf(a?.sha256 ?? ''))).toBe(a?.sha256)
    })

    it('keeps a message that is not an email as failed, visible, with the reason, instead of dropping it', async () => {
      const result = await ingest(Buffer.from('\u0000\u0001binary garbage'))
      expect(result).toMatchObject({ ok: false, code: 'NOT_AN_EMAIL' })
      const failed = await listRawMessages(rt.store.db, { status: 'failed', limit: 10, offset: 0 })
      expect(failed).toHaveLength(1)
      expect(failed[0]).toMatchObject({ error_code: 'NOT_AN_EMAIL', size_bytes: 16 })
    })

    it('uses the envelope sender when the From header is missing', async () => {
      const raw = Buffer.from('Subject: no from\r\nTo: support@okpay.com\r\n\r\nhello\r\n')
      const result = await ingest(raw)
      if (!result.ok) throw new Error(result.message)
      const t = await getTicketWithThread(rt.store.db, result.outcome.ticketId)
      expect(t.customer?.email).toBe('bounce@customer.example')
      expect(JSON.parse(t.messages[0]?.warnings ?? '[]')).toContainEqual({ code: 'FROM_MISSING' })
    })
  })
}
