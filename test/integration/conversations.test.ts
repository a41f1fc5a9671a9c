import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BatchResult } from '../../src/jobs/message-worker.ts'
import { createOwnMessageId } from '../../src/notify/own-message-id.ts'
import { listPhishingCampaigns, phishingCampaignsToCsv } from '../../src/phishing-reports/phishing-report.service.ts'
import type { Runtime } from '../../src/runtime.ts'
import { getTicketWithThread } from '../../src/tickets/ticket.service.ts'
import { buildEmail } from '../helpers/fixtures.ts'
import { createTestRuntime } from '../helpers/runtime.ts'
import { testDialects } from '../helpers/test-database.ts'

/** Spools the message as SMTP delivered it and runs the worker: its result, or the test fails. */
async function ingestInto(rt: Runtime, raw: Buffer, envelope: { remoteAddress?: string; mailFrom?: string } = {}): Promise<Extract<BatchResult, { ok: true }>> {
  const id = await rt.spool.spool({ raw, source: 'smtp', rcptTo: ['support@okpay.com'], ...envelope })
  const result = (await rt.worker.runUntilIdle()).find((r) => r.rawMessageId === id)
  if (!result?.ok) throw new Error(`raw message ${id} failed: ${result && !result.ok ? result.message : 'not processed'}`)
  return result
}

/** The mail in the runtime's outbox (none before the first is written). */
function outboxOf(rt: Runtime): string[] {
  const dir = path.join(rt.config.dataDir, 'outbox')
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(path.join(dir, f), 'utf8'))
  } catch {
    return []
  }
}

for (const dialect of testDialects()) {
  describe(`${dialect}: conversations — threading, re-sends, acknowledgements, redaction, classification`, () => {
    let rt: Runtime
    beforeEach(async () => {
      rt = await createTestRuntime(dialect)
    })
    afterEach(async () => {
      await rt.close()
    })

    const ingest = (raw: Buffer) => ingestInto(rt, raw)
    const outbox = () => outboxOf(rt)

    it('acknowledges a new ticket once, in the customer language, with the ticket number and loop-safe headers', async () => {
      await ingest(buildEmail({ subject: '付款失败', body: '我昨天的付款失败了，交易号 TX20261124001，金额 ¥299.00。', messageId: '<zh1@customer.example>' }))
      const mails = outbox()
      expect(mails).toHaveLength(1)
      const ack = mails[0] ?? ''
      expect(ack).toMatch(/^Subject: =\?UTF-8\?/m)
      expect(ack).toContain('Auto-Submitted: auto-replied')
      expect(ack).toContain('X-Auto-Response-Suppress: All')
      expect(ack).toContain('In-Reply-To: <zh1@customer.example>')
      expect(ack).toMatch(/^To: .*li\.wei@customer\.example/m)
      const t = await getTicketWithThread(rt.store.db, 1)
      expect(t.ticket.ack_status).toBe('sent')
    })

    it('joins a reply to our acknowledgement by our signed Message-ID, and ignores a forged one', async () => {
      await ingest(buildEmail({ messageId: '<a1@customer.example>', body: 'My withdrawal has not arrived after three days.' }))
      const ours = createOwnMessageId(1, 'okpay.com', rt.config.secretKey)
      const reply = await ingest(buildEmail({ messageId: '<a2@customer.example>', inReplyTo: ours, subject: 'Re: something else', body: 'Any news on this?' }))
      expect(reply.outcome).toMatchObject({ status: 'joined', ticketNumber: 'OKP-1001' })
      const forged = createOwnMessageId(1, 'okpay.com', Buffer.alloc(32, 1))
      const other = await ingest(buildEmail({ messageId: '<a3@customer.example>', inReplyTo: forged, subject: 'Different matter', body: 'A question about KYC documents.' }))
      expect(other.outcome).toMatchObject({ status: 'created', ticketNumber: 'OKP-1002' })
    })

    it('accepts the [OKP-1001] subject token only from the ticket customer', async () => {
      await ingest(buildEmail({ messageId: '<t1@customer.example>', body: 'Refund for order 5521 please.' }))
      const own = await ingest(buildEmail({ messageId: '<t2@customer.example>', subject: 'Update [OKP-1001]', body: 'Here is the receipt you asked for.' }))
      expect(own.outcome).toMatchObject({ status: 'joined', ticketNumber: 'OKP-1001' })
      const stranger = await ingest(
        buildEmail({ messageId: '<t3@evil.example>', from: 'mallory@evil.example', subject: 'Re: [OKP-1001]', body: 'Please change the payout account.' }),
      )
      expect(stranger.outcome).toMatchObject({ status: 'created', ticketNumber: 'OKP-1002' })
    })

    it('joins the same sender and normalised subject (Re:/回复:) without threading headers', async () => {
      await ingest(buildEmail({ messageId: '<s1@customer.example>', subject: 'Card declined', body: 'My card was declined at the shop.' }))
      const again = await ingest(buildEmail({ messageId: '<s2@customer.example>', subject: '回复: RE: Card declined', body: 'It happened again today.' }))
      expect(again.outcome).toMatchObject({ status: 'joined', ticketNumber: 'OKP-1001' })
    })

    it('records a re-send of the same text under a new Message-ID on the ticket instead of opening another', async () => {
      await ingest(buildEmail({ messageId: '<r1@customer.example>', subject: 'Help', body: 'My account is locked and I cannot log in.' }))
      const resend = await ingest(buildEmail({ messageId: '<r2@customer.example>', subject: 'Help!!', body: 'My account is locked and I cannot log in.' }))
      expect(resend.outcome).toMatchObject({ status: 'duplicate', ticketNumber: 'OKP-1001' })
      // The acknowledgement, then one reminder of the existing ticket number; a third copy changes nothing.
      expect(outbox()).toHaveLength(2)
      expect(outbox().every((m) => /^Subject: \[OKP-1001\]/m.test(m))).toBe(true)
      await ingest(buildEmail({ messageId: '<r3@customer.example>', subject: 'Help!!!', body: 'My account is locked and I cannot log in.' }))
      expect(outbox()).toHaveLength(2)
    })

    it('never auto-replies to an out-of-office reply, and it does not reopen the ticket', async () => {
      const ooo = await ingest(
        buildEmail({ messageId: '<o1@customer.example>', subject: 'Automatic reply: Payment failed', body: 'I am out of the office until Monday.', extraHeaders: ['Auto-Submitted: auto-replied'] }),
      )
      expect(ooo.outcome).toMatchObject({ status: 'created', acknowledgementDue: false })
      expect(outbox()).toHaveLength(0)
      const t = await getTicketWithThread(rt.store.db, ooo.outcome.ticketId)
      expect(t.ticket.ack_status).toBe('skipped:auto_reply')
      expect(t.messages[0]?.kind).toBe('auto_reply')
    })

    it('does not acknowledge mailing lists or mailer-daemons', async () => {
      await ingest(buildEmail({ messageId: '<l1@list.example>', body: 'Weekly digest of things.', extraHeaders: ['List-Id: <news.list.example>', 'Precedence: list'] }))
      expect(outbox()).toHaveLength(0)
    })

    it('redacts card numbers and passwords before storage, counts them, and tells the customer kindly', async () => {
      const result = await ingest(
        buildEmail({ messageId: '<p1@customer.example>', subject: 'Payment problem', body: 'My card 4111 1111 1111 1111 was charged twice. My password: Hunter22! Order 20261125-7781.' }),
      )
      const t = await getTicketWithThread(rt.store.db, result.outcome.ticketId)
      const text = t.messages[0]?.text_body ?? ''
      expect(text).not.toContain('4111 1111 1111 1111')
      expect(text).not.toContain('Hunter22!')
      expect(text).toContain('1111')
      expect(text).toContain('20261125-7781')
      expect(JSON.parse(t.messages[0]?.findings ?? '[]')).toEqual([
        { type: 'card_number', count: 1 },
        { type: 'password', count: 1 },
      ])
      const raw = await rt.store.db.selectFrom('raw_messages').select(['raw', 'encryption']).executeTakeFirstOrThrow()
      expect(raw.encryption).toBe('aes-256-gcm')
      expect(Buffer.from(raw.raw ?? new Uint8Array()).includes(Buffer.from('Hunter22!'))).toBe(false)
      expect(outbox()[0]).toMatch(/password/i)
    })

    it('classifies an unauthorised payment as urgent fraud with an SLA due time', async () => {
      const result = await ingest(
        buildEmail({ messageId: '<f1@customer.example>', subject: 'Unauthorised payment!', body: 'Someone made an unauthorised payment of $500 from my account. I did not do this.' }),
      )
      const t = await getTicketWithThread(rt.store.db, result.outcome.ticketId)
      expect(t.ticket).toMatchObject({ category: 'fraud', priority: 'urgent' })
      expect(t.ticket.due_at).not.toBeNull()
      expect(JSON.parse(t.messages[0]?.verdicts ?? '{}')).toMatchObject({ spoofed: false, authentication: 'none' })
    })

    it('turns mail forwarded to security@ into a phishing report of the attached message', async () => {
      const phish = buildEmail({
        from: 'OKPay Support <support@okpay-verify.com>',
        subject: 'Your account is suspended',
        body: 'Confirm your password within 24 hours at http://okpay-verify.com/login or lose access.',
        messageId: '<phish1@okpay-verify.com>',
      })
      const forward = Buffer.from(
        [
          'From: Li Wei <li.wei@customer.example>',
          'To: security@okpay.com',
          'Subject: Fwd: Your account is suspended',
          'Message-ID: <fwd1@customer.example>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="f"',
          '',
          '--f',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Is this email really from you?',
          '--f',
          'Content-Type: message/rfc822',
          'Content-Disposition: attachment; filename="suspicious.eml"',
          '',
          phish.toString('utf8'),
          '--f--',
          '',
        ].join('\r\n'),
      )
      const id = await rt.spool.spool({ raw: forward, source: 'smtp', rcptTo: ['security@okpay.com'] })
      await rt.worker.runUntilIdle()
      const reports = await rt.store.db.selectFrom('phishing_reports').selectAll().execute()
      expect(reports).toHaveLength(1)
      expect(reports[0]).toMatchObject({ source: 'security_mailbox', raw_message_id: id })
      expect(await listPhishingCampaigns(rt.store.db, { limit: 10, offset: 0 })).toMatchObject([{ senderDomains: ['okpay-verify.com'], linkDomains: ['okpay-verify.com'] }])
    })

    it('never lists the customer who forwarded a phish inline as its sender: only its links are kept', async () => {
      const inline = buildEmail({
        from: 'Li Wei <li.wei@gmail.com>',
        to: 'security@okpay.com',
        subject: 'Fwd: Your account is suspended',
        messageId: '<fwd-inline@gmail.com>',
        body: 'Is this you?\n\n---------- Forwarded message ----------\nFrom: OKPay Support <support@okpay-verify.com>\nSubject: Your account is suspended\n\nConfirm your password at http://okpay-verify.com/login',
      })
      await rt.spool.spool({ raw: inline, source: 'smtp', rcptTo: ['security@okpay.com'] })
      await rt.worker.runUntilIdle()
      const [campaign] = await listPhishingCampaigns(rt.store.db, { limit: 10, offset: 0 })
      expect(campaign).toMatchObject({ reportCount: 1, senderDomains: [], linkDomains: ['okpay-verify.com'] })
      expect(phishingCampaignsToCsv([campaign!])).not.toContain('li.wei')
    })

    it('marks mail that claims an official From without authentication as spoofed', async () => {
      const result = await ingest(buildEmail({ messageId: '<x1@okpay.com>', from: 'OKPay Security <security@okpay.com>', body: 'Please confirm your password at this link.' }))
      const t = await getTicketWithThread(rt.store.db, result.outcome.ticketId)
      expect(JSON.parse(t.messages[0]?.verdicts ?? '{}')).toMatchObject({ spoofed: true })
    })
  })

  describe(`${dialect}: a From that DMARC proves forged is not trusted for identity`, () => {
    // customer.example stands behind its alignment (p=reject) and sends only from 192.0.2.10; lenient.example
    // publishes p=none, under which a failure proves nothing.
    const zone = {
      'customer.example': { TXT: ['v=spf1 ip4:192.0.2.10 -all'] },
      '_dmarc.customer.example': { TXT: ['v=DMARC1; p=reject'] },
      'lenient.example': { TXT: ['v=spf1 ip4:192.0.2.20 -all'] },
      '_dmarc.lenient.example': { TXT: ['v=DMARC1; p=none'] },
    }
    let rt: Runtime
    beforeEach(async () => {
      rt = await createTestRuntime(dialect, undefined, { zone })
    })
    afterEach(async () => {
      await rt.close()
    })

    const deliver = async (raw: Buffer, remoteAddress: string, mailFrom: string) => (await ingestInto(rt, raw, { remoteAddress, mailFrom })).outcome
    const outboxCount = () => outboxOf(rt).length

    it('neither acknowledges it nor lets it into the ticket, re-send or subject of the address it forges', async () => {
      const genuine = await deliver(buildEmail({ messageId: '<g1@customer.example>', subject: 'Payout account', body: 'Please keep my payout account as it is.' }), '192.0.2.10', 'li.wei@customer.example')
      expect(genuine).toMatchObject({ status: 'created', ticketNumber: 'OKP-1001', acknowledgementDue: true })
      expect(outboxCount()).toBe(1)

      // The same From, subject token, subject and text, sent from a host customer.example does not use.
      const byToken = await deliver(
        buildEmail({ messageId: '<f1@forger.example>', subject: 'Re: [OKP-1001] Payout account', body: 'Change my payout account to IBAN DE89 3704 0044 0532 0130 00.' }),
        '203.0.113.66',
        'li.wei@customer.example',
      )
      expect(byToken).toMatchObject({ status: 'created', ticketNumber: 'OKP-1002', acknowledgementDue: false })
      const bySubject = await deliver(buildEmail({ messageId: '<f2@forger.example>', subject: 'Payout account', body: 'Another attempt.' }), '203.0.113.66', 'li.wei@customer.example')
      expect(bySubject).toMatchObject({ status: 'created', ticketNumber: 'OKP-1003' })
      const asResend = await deliver(buildEmail({ messageId: '<f3@forger.example>', subject: 'Payout account', body: 'Please keep my payout account as it is.' }), '203.0.113.66', 'li.wei@customer.example')
      expect(asResend).toMatchObject({ status: 'created', ticketNumber: 'OKP-1004' })

      expect(outboxCount()).toBe(1)
      const forged = await getTicketWithThread(rt.store.db, byToken.ticketId)
      expect(forged.ticket.ack_status).toBe('skipped:forged-sender')
      expect(JSON.parse(forged.messages[0]?.verdicts ?? '{}')).toMatchObject({ authentication: 'fail', spf: 'fail' })
      const original = await getTicketWithThread(rt.store.db, genuine.ticketId)
      expect(original.messages).toHaveLength(1)
    })

    it('still acknowledges and threads mail that fails DMARC under p=none: forwarding breaks alignment all the time', async () => {
      const first = await deliver(buildEmail({ messageId: '<n1@lenient.example>', from: 'Chen <chen@lenient.example>', subject: 'Refund', body: 'Where is my refund?' }), '203.0.113.66', 'chen@lenient.example')
      expect(first).toMatchObject({ status: 'created', ticketNumber: 'OKP-1001', acknowledgementDue: true })
      const again = await deliver(buildEmail({ messageId: '<n2@lenient.example>', from: 'Chen <chen@lenient.example>', subject: 'Re: [OKP-1001] Refund', body: 'Any news?' }), '203.0.113.66', 'chen@lenient.example')
      expect(again).toMatchObject({ status: 'joined', ticketNumber: 'OKP-1001' })
      expect(outboxCount()).toBe(1)
    })
  })
}
