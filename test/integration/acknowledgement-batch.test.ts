import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import PostalMime from 'postal-mime'
import { afterEach, describe, expect, it } from 'vitest'
import type { Config } from '../../src/config.ts'
import { upsertCustomerByEmail } from '../../src/customers/customer.repository.ts'
import { silentLogger } from '../../src/logger.ts'
import { acknowledgePendingTickets, acknowledgeTickets } from '../../src/notify/acknowledge-ticket.ts'
import { sendAcknowledgements } from '../../src/notify/acknowledgement.service.ts'
import { createMailTransport, type MailTransport, type OutgoingMail } from '../../src/notify/mail-transport.ts'
import { retryFailedOutbound, type OutboundDeps } from '../../src/notify/outbound.service.ts'
import { openDatabase, type Store } from '../../src/store/database.ts'
import { listEventsOfTicket } from '../../src/tickets/ticket-event.repository.ts'
import { insertTicketMessage } from '../../src/tickets/ticket-message.repository.ts'
import { insertTicket } from '../../src/tickets/ticket.repository.ts'
import { buildEmail, tempDir, testConfig } from '../helpers/fixtures.ts'
import { createTestRuntime } from '../helpers/runtime.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

const T0 = new Date('2026-11-25T02:05:00.000Z')
const ACK = { subject: 'We have received your message', text: 'Hello,\n\nWe have your message.', html: '<p>Hello,</p><p>We have your message.</p>' }

/** A ticket owed an acknowledgement (ack_status 'pending'), with the customer's first message. */
async function buildPendingTicket(store: Store, email = 'jane.doe@example.com', subject = 'Refund not received') {
  const customer = await upsertCustomerByEmail(store.db, email, null, T0)
  const ticket = await insertTicket(store.db, {
    subject,
    channel: 'email',
    customer_id: customer.id,
    created_at: T0.toISOString(),
    updated_at: T0.toISOString(),
    last_message_at: T0.toISOString(),
    ack_status: 'pending',
  })
  await insertTicketMessage(store.db, {
    ticket_id: ticket.id,
    raw_message_id: null,
    direction: 'inbound',
    message_id_header: `<m${ticket.id}@mail.example.com>`,
    in_reply_to: null,
    references_header: '[]',
    from_address: email,
    from_name: null,
    subject,
    sent_at: T0.toISOString(),
    received_at: T0.toISOString(),
    text_body: 'Where is my refund?',
    html_body: null,
    created_at: T0.toISOString(),
    language: 'en',
  })
  return ticket
}

function outboxFiles(config: Config): string[] {
  try {
    return readdirSync(path.join(config.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'))
  } catch {
    return []
  }
}

async function outboxSubjects(config: Config): Promise<string[]> {
  const subjects: string[] = []
  for (const file of outboxFiles(config)) subjects.push((await PostalMime.parse(readFileSync(path.join(config.dataDir, 'outbox', file)))).subject ?? '')
  return subjects.sort()
}

async function ackStatuses(store: Store, ids: number[]): Promise<Array<string | null>> {
  const rows = await store.db.selectFrom('tickets').select(['id', 'ack_status']).where('id', 'in', ids).orderBy('id', 'asc').execute()
  return rows.map((r) => r.ack_status)
}

async function acknowledgementRows(store: Store) {
  return store.db.selectFrom('outbound_messages').select(['ticket_id', 'status', 'attempts']).where('kind', '=', 'acknowledgement').orderBy('ticket_id', 'asc').execute()
}

for (const dialect of testDialects()) {
  describe(`${dialect}: acknowledging a batch of tickets`, () => {
    let store: Store
    let config: Config
    let transport: MailTransport
    let clock: Date
    let deps: OutboundDeps
    const extraStores: Store[] = []

    async function setUp(env: Record<string, string> = {}, sqlitePath = ':memory:') {
      store = await createTestDatabase(dialect, sqlitePath)
      config = testConfig({ MAILDESK_SECRET_KEY: 'ef'.repeat(32), MAILDESK_AUTO_REPLY_LIMIT: '2', ...env })
      transport = createMailTransport(config, silentLogger)
      clock = T0
      deps = { db: store.db, config, transport, log: silentLogger, now: () => clock }
    }

    afterEach(async () => {
      transport?.close()
      for (const s of extraStores.splice(0)) await s.destroy()
      await store?.destroy()
    })

    it('stores every row of the batch in one commit before the first mail leaves, then sends and records them all', async () => {
      // SQLite: the rows are read through a second connection, which sees committed data only.
      const file = path.join(tempDir(), 'batch.sqlite')
      await setUp({}, dialect === 'sqlite' ? file : ':memory:')
      const observer = dialect === 'sqlite' ? await openDatabase({ sqlitePath: file }) : store
      if (observer !== store) extraStores.push(observer)
      const tickets = [await buildPendingTicket(store, 'a@example.com'), await buildPendingTicket(store, 'b@example.com'), await buildPendingTicket(store, 'c@example.com')]
      const ids = tickets.map((t) => t.id)
      const inner = transport
      const seenAtSend: unknown[] = []
      const batchSizes: number[] = []
      deps.transport = {
        kind: inner.kind,
        send: (mail: OutgoingMail) => inner.send(mail),
        async sendMany(mails: OutgoingMail[]) {
          batchSizes.push(mails.length)
          const committed = await observer.db.selectFrom('outbound_messages').select(['ticket_id', 'status']).orderBy('ticket_id', 'asc').execute()
          const statuses = await observer.db.selectFrom('tickets').select('ack_status').where('id', 'in', ids).execute()
          seenAtSend.push({ committed, statuses: statuses.map((s) => s.ack_status) })
          return inner.sendMany(mails)
        },
        close: () => inner.close(),
      }

      await acknowledgeTickets(deps, ids)

      expect(batchSizes).toEqual([3])
      expect(seenAtSend).toEqual([{ committed: ids.map((id) => ({ ticket_id: id, status: 'queued' })), statuses: ['sent', 'sent', 'sent'] }])
      expect(await acknowledgementRows(store)).toEqual(ids.map((id) => ({ ticket_id: id, status: 'sent', attempts: 1 })))
      expect(await ackStatuses(store, ids)).toEqual(['sent', 'sent', 'sent'])
      for (const id of ids) expect((await listEventsOfTicket(store.db, id)).map((e) => e.type)).toEqual(['acknowledgement_sent'])
      expect(await outboxSubjects(config)).toEqual(ids.map((id) => `[OKP-${1000 + id}] Refund not received`))
    })

    it('counts two tickets from one address in one batch against each other: limit 1 sends exactly one, to the first', async () => {
      await setUp({ MAILDESK_AUTO_REPLY_LIMIT: '1' })
      const first = await buildPendingTicket(store, 'jane.doe@example.com', 'Refund not received')
      const second = await buildPendingTicket(store, 'Jane.Doe@example.com', 'Card blocked')
      const other = await buildPendingTicket(store, 'li.wei@example.cn', 'Card blocked')

      await acknowledgeTickets(deps, [first.id, second.id, other.id])

      expect(await ackStatuses(store, [first.id, second.id, other.id])).toEqual(['sent', 'skipped:rate_limited', 'sent'])
      expect((await acknowledgementRows(store)).map((r) => r.ticket_id)).toEqual([first.id, other.id])
      expect(await outboxSubjects(config)).toEqual([`[OKP-${1000 + first.id}] Refund not received`, `[OKP-${1000 + other.id}] Card blocked`])
    })

    it('counts the mail an address got before the batch too (limit 2: one sent earlier, one more now)', async () => {
      await setUp({ MAILDESK_AUTO_REPLY_LIMIT: '2' })
      const earlier = await buildPendingTicket(store)
      await acknowledgeTickets(deps, [earlier.id])
      clock = new Date(T0.getTime() + 60 * 60_000)
      const a = await buildPendingTicket(store)
      const b = await buildPendingTicket(store)
      const results = await sendAcknowledgements(deps, [a, b].map((t) => ({ ticketId: t.id, content: ACK, language: 'en' as const })))
      expect(results.map((r) => ('reason' in r ? r.reason : r.sent))).toEqual([true, 'rate_limited'])
    })

    it('skips blocked and own addresses and tickets already acknowledged, leaves tickets no longer pending alone', async () => {
      await setUp()
      const blocked = await buildPendingTicket(store, 'bounced@example.com')
      await store.db.updateTable('customers').set({ mail_blocked: 1 }).where('email', '=', 'bounced@example.com').execute()
      const own = await buildPendingTicket(store, 'Support@okpay.com')
      const done = await buildPendingTicket(store, 'done@example.com')
      // Left 'pending' with its acknowledgement stored: a process stopped between the two (before this change).
      await acknowledgeTickets(deps, [done.id])
      await store.db.updateTable('tickets').set({ ack_status: 'pending' }).where('id', '=', done.id).execute()
      const solved = await buildPendingTicket(store, 'solved@example.com')
      await store.db.updateTable('tickets').set({ ack_status: 'skipped:precedence' }).where('id', '=', solved.id).execute()
      const fine = await buildPendingTicket(store, 'fine@example.com')

      await acknowledgeTickets(deps, [blocked.id, own.id, done.id, solved.id, fine.id])

      expect(await ackStatuses(store, [blocked.id, own.id, done.id, solved.id, fine.id])).toEqual([
        'skipped:mail_blocked',
        'skipped:own_address',
        'skipped:already_acknowledged',
        'skipped:precedence',
        'sent',
      ])
      expect((await acknowledgementRows(store)).map((r) => r.ticket_id)).toEqual([done.id, fine.id])
      expect(outboxFiles(config)).toHaveLength(2)
    })

    it('leaves queued rows that retryFailedOutbound sends once each when the process fails between storing and sending', async () => {
      await setUp()
      const tickets = [await buildPendingTicket(store, 'a@example.com'), await buildPendingTicket(store, 'b@example.com')]
      const ids = tickets.map((t) => t.id)
      const inner = transport
      deps.transport = {
        kind: inner.kind,
        send: (mail: OutgoingMail) => inner.send(mail),
        sendMany: () => Promise.reject(new Error('the process died here')),
        close: () => inner.close(),
      }
      await expect(acknowledgeTickets(deps, ids)).rejects.toThrow('the process died here')
      expect(await acknowledgementRows(store)).toEqual(ids.map((id) => ({ ticket_id: id, status: 'queued', attempts: 0 })))
      // Not pending: the sweep does not acknowledge them a second time.
      expect(await ackStatuses(store, ids)).toEqual(['sent', 'sent'])
      deps.transport = inner
      expect(await acknowledgePendingTickets(deps)).toBe(0)
      // Queued rows count as abandoned after five minutes; two workers retrying at once send each row once.
      clock = new Date(T0.getTime() + 4 * 60_000)
      expect(await retryFailedOutbound(deps)).toEqual({ attempted: 0, sent: 0, failed: 0 })
      clock = new Date(T0.getTime() + 6 * 60_000)
      const passes = await Promise.all([retryFailedOutbound(deps), retryFailedOutbound(deps)])
      expect(passes.reduce((sum, p) => sum + p.sent, 0)).toBe(2)
      expect(await retryFailedOutbound(deps)).toEqual({ attempted: 0, sent: 0, failed: 0 })
      expect(await acknowledgementRows(store)).toEqual(ids.map((id) => ({ ticket_id: id, status: 'sent', attempts: 1 })))
      expect(outboxFiles(config)).toHaveLength(2)
    })

    it('records a relay failure on every row of the batch and sends them on a later retry', async () => {
      await setUp()
      const tickets = [await buildPendingTicket(store, 'a@example.com'), await buildPendingTicket(store, 'b@example.com')]
      const ids = tickets.map((t) => t.id)
      // Port 9 (discard) on loopback: nothing listens, the connection is refused, as when the relay is down.
      const down = createMailTransport(testConfig({ MAILDESK_SECRET_KEY: 'ef'.repeat(32), MAILDESK_SMTP_RELAY_URL: 'smtp://127.0.0.1:9' }), silentLogger)
      await acknowledgeTickets({ ...deps, transport: down }, ids)
      down.close()
      const failed = await store.db.selectFrom('outbound_messages').select(['status', 'attempts', 'error', 'sent_at']).orderBy('id', 'asc').execute()
      expect(failed.map((r) => [r.status, r.attempts, r.sent_at])).toEqual([
        ['failed', 1, null],
        ['failed', 1, null],
      ])
      for (const r of failed) expect(r.error).toMatch(/ECONNREFUSED|connect/i)
      expect(await ackStatuses(store, ids)).toEqual(['sent', 'sent'])
      clock = new Date(T0.getTime() + 61_000)
      expect(await retryFailedOutbound(deps)).toEqual({ attempted: 2, sent: 2, failed: 0 })
      expect(await acknowledgementRows(store)).toEqual(ids.map((id) => ({ ticket_id: id, status: 'sent', attempts: 2 })))
      expect(outboxFiles(config)).toHaveLength(2)
    })

    it('sends one acknowledgement per ticket when two batches race for the same ticket; the loser stores no event', async () => {
      await setUp()
      const [a, b, c] = [await buildPendingTicket(store, 'a@example.com'), await buildPendingTicket(store, 'b@example.com'), await buildPendingTicket(store, 'c@example.com')]
      if (!a || !b || !c) throw new Error('no tickets')
      const input = (id: number) => ({ ticketId: id, content: ACK, language: 'en' as const })
      const [left, right] = await Promise.all([sendAcknowledgements(deps, [input(a.id), input(b.id)]), sendAcknowledgements(deps, [input(b.id), input(c.id)])])
      const forB = [left?.[1], right?.[0]].map((r) => (r && 'reason' in r ? r.reason : r?.sent))
      expect(forB.sort()).toEqual(['already_acknowledged', true])
      expect((await acknowledgementRows(store)).map((r) => r.ticket_id)).toEqual([a.id, b.id, c.id])
      expect((await listEventsOfTicket(store.db, b.id)).map((e) => e.type)).toEqual(['acknowledgement_sent'])
      expect(outboxFiles(config)).toHaveLength(3)
    })
  })

  describe(`${dialect}: the worker acknowledges a stored batch together`, () => {
    it('sends one acknowledgement for two new tickets from one address in one batch when the limit is 1', async () => {
      const rt = await createTestRuntime(dialect, testConfig({ MAILDESK_AUTO_REPLY_LIMIT: '1' }))
      try {
        const mail = (n: number, subject: string) =>
          buildEmail({ messageId: `<batch-${n}@customer.example>`, from: 'Jane Doe <jane.doe@customer.example>', subject, body: `Message ${n}: ${subject}.` })
        await rt.spool.spool({ raw: mail(1, 'Refund not received'), source: 'smtp', rcptTo: ['support@okpay.com'] })
        await rt.spool.spool({ raw: mail(2, 'Card blocked at the airport'), source: 'smtp', rcptTo: ['support@okpay.com'] })
        const results = await rt.worker.runUntilIdle()
        expect(results.map((r) => (r.ok ? r.outcome.status : r.code))).toEqual(['created', 'created'])
        const tickets = await rt.store.db.selectFrom('tickets').select(['id', 'ack_status']).orderBy('id', 'asc').execute()
        expect(tickets.map((t) => t.ack_status)).toEqual(['sent', 'skipped:rate_limited'])
        const acks = await rt.store.db.selectFrom('outbound_messages').select(['ticket_id', 'status']).execute()
        expect(acks).toEqual([{ ticket_id: tickets[0]?.id, status: 'sent' }])
        expect(outboxFiles(rt.config)).toHaveLength(1)
      } finally {
        await rt.close()
      }
    })
  })
}
