import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import PostalMime from 'postal-mime'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Config } from '../../src/config.ts'
import { findCustomerByEmail, upsertCustomerByEmail } from '../../src/customers/customer.repository.ts'
import { MailBlockedError } from '../../src/errors.ts'
import { startOutboundRetryJob } from '../../src/jobs/retry-outbound.job.ts'
import { silentLogger } from '../../src/logger.ts'
import { renderAcknowledgement } from '../../src/notify/acknowledgement.ts'
import { setAntiPhishingCode } from '../../src/notify/anti-phishing-code.ts'
import { handleBounce } from '../../src/notify/bounce.service.ts'
import { createMailTransport, type MailTransport } from '../../src/notify/mail-transport.ts'
import { findOutboundMessageById, insertOutboundMessage } from '../../src/notify/outbound-message.repository.ts'
import { sendAcknowledgement } from '../../src/notify/acknowledgement.service.ts'
import { retryFailedOutbound, sendAgentReply, type OutboundDeps } from '../../src/notify/outbound.service.ts'
import { findOutboundByVerificationCode } from '../../src/notify/verification.service.ts'
import { parseOwnMessageId } from '../../src/notify/own-message-id.ts'
import { parseMessage } from '../../src/pipeline/parse-message.ts'
import type { Store } from '../../src/store/database.ts'
import { listEventsOfTicket } from '../../src/tickets/ticket-event.repository.ts'
import { insertTicketMessage, listMessagesOfTicket } from '../../src/tickets/ticket-message.repository.ts'
import { findTicketById, insertTicket } from '../../src/tickets/ticket.repository.ts'
import { readEmailFixture, testConfig } from '../helpers/fixtures.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

const T0 = new Date('2026-11-25T02:05:00.000Z')
const ACK = { subject: 'We have received your message', text: 'Hello,\n\nWe have your message.', html: '<p>Hello,</p><p>We have your message.</p>' }
const LIMITS = { maxAttachments: 10, maxAttachmentBytes: 1024 * 1024 }

async function buildTicket(store: Store, overrides: { email?: string; name?: string; messageId?: string; subject?: string; language?: string } = {}) {
  const email = overrides.email ?? 'jane.doe@example.com'
  const customer = await upsertCustomerByEmail(store.db, email, overrides.name ?? 'Jane Doe', T0)
  if (overrides.language) await store.db.updateTable('customers').set({ language: overrides.language }).where('id', '=', customer.id).execute()
  const ticket = await insertTicket(store.db, {
    subject: overrides.subject ?? 'Refund not received',
    channel: 'email',
    customer_id: customer.id,
    created_at: T0.toISOString(),
    updated_at: T0.toISOString(),
    last_message_at: T0.toISOString(),
  })
  await insertTicketMessage(store.db, {
    ticket_id: ticket.id,
    raw_message_id: null,
    direction: 'inbound',
    message_id_header: overrides.messageId ?? `<m${ticket.id}@mail.example.com>`,
    in_reply_to: null,
    references_header: JSON.stringify(['<earlier@mail.example.com>']),
    from_address: email,
    from_name: overrides.name ?? 'Jane Doe',
    subject: overrides.subject ?? 'Refund not received',
    sent_at: T0.toISOString(),
    received_at: T0.toISOString(),
    text_body: 'Where is my refund?',
    html_body: null,
    created_at: T0.toISOString(),
  })
  return ticket
}

function outboxFiles(config: Config): string[] {
  return readdirSync(path.join(config.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'))
}

async function readOutbox(config: Config, file: string) {
  const raw = readFileSync(path.join(config.dataDir, 'outbox', file))
  const email = await PostalMime.parse(raw)
  return { raw, email, header: (key: string) => email.headers.find((h) => h.key === key)?.value }
}

for (const dialect of testDialects()) {
  describe(`${dialect}: outbound mail`, () => {
    let store: Store
    let config: Config
    let transport: MailTransport
    let clock: Date
    let deps: OutboundDeps

    beforeEach(async () => {
      store = await createTestDatabase(dialect)
      config = testConfig({ MAILDESK_SECRET_KEY: 'ef'.repeat(32), MAILDESK_PUBLIC_URL: 'https://help.okpay.com', MAILDESK_AUTO_REPLY_LIMIT: '2' })
      transport = createMailTransport(config, silentLogger)
      clock = T0
      deps = { db: store.db, config, transport, log: silentLogger, now: () => clock }
    })
    afterEach(async () => {
      transport?.close()
      await store?.destroy()
    })

    describe('sendAgentReply', () => {
      it('stores the reply in the thread and in outbound_messages, sends it, and sets the chosen status', async () => {
        const ticket = await buildTicket(store, { messageId: '<q1@mail.example.com>', language: 'en' })
        await setAntiPhishingCode(store.db, 'Jane.Doe@example.com', 'BlueFox-7', T0)
        const result = await sendAgentReply(deps, { ticketId: ticket.id, agentId: 3, text: 'Your refund was sent today.', setStatus: 'pending' })
        expect(result.status).toBe('sent')
        expect(parseOwnMessageId(result.messageIdHeader, config.secretKey)).toEqual({ ticketId: ticket.id })

        const thread = await listMessagesOfTicket(store.db, ticket.id)
        const reply = thread.find((m) => m.id === result.messageId)
        expect(reply).toMatchObject({
          direction: 'outbound',
          agent_id: 3,
          message_id_header: result.messageIdHeader,
          in_reply_to: '<q1@mail.example.com>',
          from_address: 'support@okpay.com',
          subject: `Re: Refund not received [OKP-${1000 + ticket.id}]`,
          text_body: 'Your refund was sent today.',
          sent_at: T0.toISOString(),
        })
        const outbound = await findOutboundMessageById(store.db, result.outboundMessageId)
        expect(outbound).toMatchObject({ kind: 'reply', status: 'sent', to_address: 'jane.doe@example.com', ticket_message_id: result.messageId, attempts: 1 })

        const files = outboxFiles(config)
        expect(files).toEqual([outbound?.transport_id])
        const { email, header } = await readOutbox(config, files[0] ?? '')
        expect(email.messageId).toBe(result.messageIdHeader)
        expect(email.inReplyTo).toBe('<q1@mail.example.com>')
        expect(email.references).toBe('<earlier@mail.example.com> <q1@mail.example.com>')
        expect(header('auto-submitted')).toBeUndefined()
        expect(header('dkim-signature')).toContain('d=okpay.com')
        expect(email.text?.split('\n')[0]).toBe('Your anti-phishing code: BlueFox-7')
        expect(email.text).toContain(`Verify this email at https://help.okpay.com/verify?code=${outbound?.verification_code}`)

        const after = await findTicketById(store.db, ticket.id)
        expect(after).toMatchObject({ status: 'pending', first_replied_at: T0.toISOString() })
        const events = await listEventsOfTicket(store.db, ticket.id)
        expect(events.map((e) => [e.type, e.actor])).toEqual([
          ['reply_sent', '3'],
          ['status_changed', '3'],
        ])
      })

      it('writes Chinese fixed lines for a Chinese-speaking customer', async () => {
        const ticket = await buildTicket(store, { email: 'li.wei@example.cn', language: 'zh-CN' })
        await sendAgentReply(deps, { ticketId: ticket.id, agentId: 3, text: '您的退款已于今天发出。' })
        const { email } = await readOutbox(config, outboxFiles(config)[0] ?? '')
        expect(email.text).toContain('验证此邮件是否来自官方：https://help.okpay.com/verify?code=')
      })

      it('refuses to write to an address that hard-bounced, storing nothing', async () => {
        const ticket = await buildTicket(store)
        await store.db.updateTable('customers').set({ mail_blocked: 1 }).execute()
        await expect(sendAgentReply(deps, { ticketId: ticket.id, agentId: 3, text: 'Hello' })).rejects.toBeInstanceOf(MailBlockedError)
        expect(await listMessagesOfTicket(store.db, ticket.id)).toHaveLength(1)
        expect(await store.db.selectFrom('outbound_messages').selectAll().execute()).toEqual([])
      })

      it('records a relay failure on the row and sends it on a later retry, never losing it', async () => {
        const ticket = await buildTicket(store)
        // Port 9 (discard) on loopback: nothing listens, the connection is refused, as when the relay is down.
        const down = createMailTransport(testConfig({ MAILDESK_SECRET_KEY: 'ef'.repeat(32), MAILDESK_SMTP_RELAY_URL: 'smtp://127.0.0.1:9' }), silentLogger)
        const result = await sendAgentReply({ ...deps, transport: down }, { ticketId: ticket.id, agentId: 3, text: 'Your refund was sent today.' })
        down.close()
        expect(result.status).toBe('failed')
        const failed = await findOutboundMessageById(store.db, result.outboundMessageId)
        expect(failed).toMatchObject({ status: 'failed', attempts: 1, sent_at: null })
        expect(failed?.error).toMatch(/ECONNREFUSED|connect/i)

        // Too soon: the first retry waits a minute.
        clock = new Date(T0.getTime() + 30_000)
        expect(await retryFailedOutbound(deps)).toEqual({ attempted: 0, sent: 0, failed: 0 })
        clock = new Date(T0.getTime() + 61_000)
        // Two workers retrying at once: the claim lets only one of them send.
        const passes = await Promise.all([retryFailedOutbound(deps), retryFailedOutbound(deps)])
        expect(passes.map((p) => p.sent).sort()).toEqual([0, 1])
        expect(outboxFiles(config)).toHaveLength(1)
        const sent = await findOutboundMessageById(store.db, result.outboundMessageId)
        expect(sent).toMatchObject({ status: 'sent', attempts: 2, error: null, sent_at: clock.toISOString() })
        const { email } = await readOutbox(config, outboxFiles(config)[0] ?? '')
        expect(email.messageId).toBe(result.messageIdHeader)
        const thread = await listMessagesOfTicket(store.db, ticket.id)
        expect(thread.find((m) => m.id === result.messageId)?.sent_at).toBe(clock.toISOString())
        expect(await retryFailedOutbound(deps)).toEqual({ attempted: 0, sent: 0, failed: 0 })
      })
    })

    it('the retry job sends mail the relay refused earlier', async () => {
      const ticket = await buildTicket(store)
      const down = createMailTransport(testConfig({ MAILDESK_SECRET_KEY: 'ef'.repeat(32), MAILDESK_SMTP_RELAY_URL: 'smtp://127.0.0.1:9' }), silentLogger)
      const ack = await sendAcknowledgement({ ...deps, transport: down }, { ticketId: ticket.id, content: ACK, language: 'en' })
      down.close()
      expect(ack).toMatchObject({ sent: true, status: 'failed' })
      clock = new Date(T0.getTime() + 10 * 60_000)
      const job = startOutboundRetryJob(deps, { intervalMs: 60 * 60_000 })
      await job.runOnce()
      await job.stop()
      expect(await findOutboundMessageById(store.db, ack.outboundMessageId ?? 0)).toMatchObject({ status: 'sent', attempts: 2 })
    })

    it('two workers retrying a queued message that a stopped process left behind send it once', async () => {
      const ticket = await buildTicket(store)
      // Stored, never handed to the transport: the process stopped in between.
      const row = await insertOutboundMessage(store.db, {
        ticket_id: ticket.id,
        ticket_message_id: null,
        message_id_header: '<left.behind@okpay.com>',
        kind: 'acknowledgement',
        to_address: 'jane.doe@example.com',
        subject: 'We have received your message',
        verification_code: '7KQM-4XPT',
        raw_mime: 'From: support@okpay.com\r\nTo: jane.doe@example.com\r\nSubject: We have received your message\r\nMessage-ID: <left.behind@okpay.com>\r\n\r\nHello\r\n',
        error: null,
        transport_id: null,
        created_at: T0.toISOString(),
        sent_at: null,
        last_attempt_at: null,
        bounced_at: null,
      })
      clock = new Date(T0.getTime() + 6 * 60_000)
      const passes = await Promise.all([retryFailedOutbound(deps), retryFailedOutbound(deps)])
      expect(passes.map((p) => p.sent).sort()).toEqual([0, 1])
      expect(outboxFiles(config)).toHaveLength(1)
      expect(await findOutboundMessageById(store.db, row.id)).toMatchObject({ status: 'sent', attempts: 1 })
    })

    describe('sendAcknowledgement', () => {
      it('sends one automatic acknowledgement per ticket, marked Auto-Submitted', async () => {
        const ticket = await buildTicket(store, { messageId: '<first@mail.example.com>' })
        const first = await sendAcknowledgement(deps, { ticketId: ticket.id, content: ACK, language: 'en' })
        expect(first).toMatchObject({ sent: true, status: 'sent' })
        expect(await sendAcknowledgement(deps, { ticketId: ticket.id, content: ACK, language: 'en' })).toEqual({ sent: false, reason: 'already_acknowledged' })
        const files = outboxFiles(config)
        expect(files).toHaveLength(1)
        const { email, header } = await readOutbox(config, files[0] ?? '')
        expect(header('auto-submitted')).toBe('auto-replied')
        expect(header('x-auto-response-suppress')).toBe('All')
        expect(email.subject).toBe(`We have received your message [OKP-${1000 + ticket.id}]`)
        expect(email.inReplyTo).toBe('<first@mail.example.com>')
        expect(email.messageId).toBe(first.messageIdHeader)
        expect((await listEventsOfTicket(store.db, ticket.id)).map((e) => e.type)).toEqual(['acknowledgement_sent'])
      })

      it('sends the rendered acknowledgement with the ticket token once and the security lines added', async () => {
        const ticket = await buildTicket(store, { subject: '退款没有到账' })
        const number = `OKP-${1000 + ticket.id}`
        const content = renderAcknowledgement({
          brand: config.brand,
          language: 'zh-CN',
          ticketNumber: number,
          subject: '退款没有到账',
          dueAt: new Date('2026-11-25T06:00:00Z'),
          missingFacts: ['transaction_id'],
          redactedKinds: [],
          publicBaseUrl: config.publicUrl,
        })
        await setAntiPhishingCode(store.db, 'jane.doe@example.com', '蓝色狐狸 7', T0)
        expect((await sendAcknowledgement(deps, { ticketId: ticket.id, content, language: 'zh-CN' })).sent).toBe(true)
        const { email } = await readOutbox(config, outboxFiles(config)[0] ?? '')
        expect(email.subject).toBe(content.subject)
        expect(email.subject?.split(`[${number}]`)).toHaveLength(2)
        expect(email.text?.split('\n')[0]).toBe('您的防钓鱼码：蓝色狐狸 7')
        expect(email.html).toMatch(/<body[^>]*>\s*<p style="[^"]*">您的防钓鱼码：蓝色狐狸 7<\/p>/)
        expect(email.text).toMatch(/验证此邮件是否来自官方：https:\/\/help\.okpay\.com\/verify\?code=[0-9A-Z]{4}-[0-9A-Z]{4}\nRef: OKP-\d+-[0-9a-f]{12}\n/)
      })

      it('sends exactly one when two workers acknowledge the same ticket at once', async () => {
        const ticket = await buildTicket(store)
        const results = await Promise.all([1, 2, 3].map(() => sendAcknowledgement(deps, { ticketId: ticket.id, content: ACK, language: 'en' })))
        expect(results.filter((r) => r.sent)).toHaveLength(1)
        expect(results.filter((r) => r.reason === 'already_acknowledged')).toHaveLength(2)
        expect(outboxFiles(config)).toHaveLength(1)
      })

      it('stops at MAILDESK_AUTO_REPLY_LIMIT automatic mails per recipient per 24 hours', async () => {
        const tickets = [await buildTicket(store), await buildTicket(store), await buildTicket(store)]
        const send = (id: number) => sendAcknowledgement(deps, { ticketId: id, content: ACK, language: 'en' })
        expect((await send(tickets[0]?.id ?? 0)).sent).toBe(true)
        clock = new Date(T0.getTime() + 60 * 60_000)
        expect((await send(tickets[1]?.id ?? 0)).sent).toBe(true)
        expect(await send(tickets[2]?.id ?? 0)).toEqual({ sent: false, reason: 'rate_limited' })
        // 24 hours after the first one, one slot is free again.
        clock = new Date(T0.getTime() + 24 * 60 * 60_000 + 1)
        expect((await send(tickets[2]?.id ?? 0)).sent).toBe(true)
      })

      it('counts only mail to the same recipient', async () => {
        const a = await buildTicket(store)
        const b = await buildTicket(store)
        const c = await buildTicket(store, { email: 'li.wei@example.cn' })
        for (const t of [a, b]) await sendAcknowledgement(deps, { ticketId: t.id, content: ACK, language: 'en' })
        expect((await sendAcknowledgement(deps, { ticketId: c.id, content: ACK, language: 'en' })).sent).toBe(true)
      })

      it('sends nothing to a blocked address or to one of our own addresses', async () => {
        const blocked = await buildTicket(store)
        await store.db.updateTable('customers').set({ mail_blocked: 1 }).execute()
        expect(await sendAcknowledgement(deps, { ticketId: blocked.id, content: ACK, language: 'en' })).toEqual({ sent: false, reason: 'mail_blocked' })
        const own = await buildTicket(store, { email: 'Support@okpay.com' })
        expect(await sendAcknowledgement(deps, { ticketId: own.id, content: ACK, language: 'en' })).toEqual({ sent: false, reason: 'own_address' })
        expect(await store.db.selectFrom('outbound_messages').selectAll().execute()).toEqual([])
      })
    })

    describe('handleBounce', () => {
      async function bounceOf(fixture: string, messageIdHeader: string, recipient: string, code: string) {
        const text = readEmailFixture(`bounces/${fixture}`)
          .toString('utf8')
          .replaceAll('<7.5f1c2a9e0b3d4c6a.9c1e4b7a2d3f5e6a7b8c9d0e@okpay.com>', messageIdHeader)
          .replace(/jane\.doe@example\.com|li\.wei@example\.cn|wang\.fang\.okp@gmail\.com/g, recipient)
          .replaceAll('7KQM-4XPT', code)
        return { text, parsed: await parseMessage(Buffer.from(text), LIMITS) }
      }

      async function sentAcknowledgement(email = 'jane.doe@example.com') {
        const ticket = await buildTicket(store, { email })
        const ack = await sendAcknowledgement(deps, { ticketId: ticket.id, content: ACK, language: 'en' })
        const row = await findOutboundMessageById(store.db, ack.outboundMessageId ?? 0)
        if (!row) throw new Error('no outbound row')
        return { ticket, row }
      }

      for (const fixture of ['postfix-hard-user-unknown.eml', 'exim-hard-mailbox-disabled.eml', 'gmail-hard-no-such-user.eml']) {
        it(`${fixture}: marks the message bounced, blocks the address and names the ticket`, async () => {
          const { ticket, row } = await sentAcknowledgement()
          const { text, parsed } = await bounceOf(fixture, row.message_id_header, row.to_address, row.verification_code)
          clock = new Date(T0.getTime() + 5000)
          const outcome = await handleBounce(store.db, parsed, text, clock)
          expect(outcome).toMatchObject({ ticketId: ticket.id, outboundMessageId: row.id, severity: 'hard', recipient: 'jane.doe@example.com', customerBlocked: true })
          expect(await findOutboundMessageById(store.db, row.id)).toMatchObject({ status: 'bounced', bounced_at: clock.toISOString() })
          expect(await findCustomerByEmail(store.db, 'jane.doe@example.com')).toMatchObject({ mail_blocked: 1, bounced_at: clock.toISOString() })
          const events = await listEventsOfTicket(store.db, ticket.id)
          expect(events.at(-1)).toMatchObject({ type: 'mail_bounced' })
          // No more mail to that address.
          const next = await buildTicket(store)
          expect(await sendAcknowledgement(deps, { ticketId: next.id, content: ACK, language: 'en' })).toEqual({ sent: false, reason: 'mail_blocked' })
        })
      }

      it('a delayed (soft) report keeps the address open and the message sent', async () => {
        const { ticket, row } = await sentAcknowledgement()
        const { text, parsed } = await bounceOf('postfix-soft-delayed.eml', row.message_id_header, row.to_address, row.verification_code)
        const outcome = await handleBounce(store.db, parsed, text, T0)
        expect(outcome).toMatchObject({ ticketId: ticket.id, severity: 'soft', status: '4.4.1', customerBlocked: false })
        expect(await findOutboundMessageById(store.db, row.id)).toMatchObject({ status: 'sent' })
        expect(await findCustomerByEmail(store.db, 'jane.doe@example.com')).toMatchObject({ mail_blocked: 0, bounced_at: T0.toISOString() })
      })

      it('finds the message by its verification code when the relay rewrote the Message-ID', async () => {
        const { ticket, row } = await sentAcknowledgement()
        const { text, parsed } = await bounceOf('postfix-hard-user-unknown.eml', '<rewritten.by.relay@ses.example>', row.to_address, row.verification_code)
        expect(await handleBounce(store.db, parsed, text, T0)).toMatchObject({ ticketId: ticket.id, severity: 'hard', customerBlocked: true })
      })

      it('ignores a report about mail we never sent, and one about another recipient', async () => {
        const { row } = await sentAcknowledgement()
        const forged = await bounceOf('postfix-hard-user-unknown.eml', '<1.0000000000000000.000000000000000000000000@okpay.com>', row.to_address, 'ZZZZ-ZZZZ')
        expect(await handleBounce(store.db, forged.parsed, forged.text, T0)).toMatchObject({ ticketId: undefined, customerBlocked: false })
        const other = await bounceOf('postfix-hard-user-unknown.eml', row.message_id_header, 'someone.else@example.org', row.verification_code)
        expect(await handleBounce(store.db, other.parsed, other.text, T0)).toMatchObject({ severity: undefined, customerBlocked: false })
        expect(await findCustomerByEmail(store.db, 'jane.doe@example.com')).toMatchObject({ mail_blocked: 0, bounced_at: null })
        expect(await findOutboundMessageById(store.db, row.id)).toMatchObject({ status: 'sent' })
      })

      it('is undefined for mail that is not a delivery report', async () => {
        const text = 'From: jane.doe@example.com\r\nTo: support@okpay.com\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\nAway until Monday.\r\n'
        expect(await handleBounce(store.db, await parseMessage(Buffer.from(text), LIMITS), text, T0)).toBeUndefined()
      })
    })

    describe('findOutboundByVerificationCode', () => {
      it('confirms a code with date, subject and masked recipient, as typed by a customer', async () => {
        const ticket = await buildTicket(store)
        const ack = await sendAcknowledgement(deps, { ticketId: ticket.id, content: ACK, language: 'en' })
        const row = await findOutboundMessageById(store.db, ack.outboundMessageId ?? 0)
        const code = row?.verification_code ?? ''
        const expected = { sentAt: T0, subject: `We have received your message [OKP-${1000 + ticket.id}]`, maskedRecipient: 'j***@example.com' }
        expect(await findOutboundByVerificationCode(store.db, code, T0)).toEqual(expected)
        expect(await findOutboundByVerificationCode(store.db, ` ${code.toLowerCase().replace('-', '')} `, T0)).toEqual(expected)
      })

      it('answers unknown, malformed and expired codes alike', async () => {
        const ticket = await buildTicket(store)
        const ack = await sendAcknowledgement(deps, { ticketId: ticket.id, content: ACK, language: 'en' })
        const code = (await findOutboundMessageById(store.db, ack.outboundMessageId ?? 0))?.verification_code ?? ''
        expect(await findOutboundByVerificationCode(store.db, 'ZZZZ-ZZZZ', T0)).toBeUndefined()
        expect(await findOutboundByVerificationCode(store.db, "' or 1=1 --", T0)).toBeUndefined()
        expect(await findOutboundByVerificationCode(store.db, code, new Date(T0.getTime() + 366 * 24 * 60 * 60_000))).toBeUndefined()
      })
    })
  })
}
