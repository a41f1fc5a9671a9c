import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { upsertCustomerByEmail } from '../../src/customers/customer.repository.ts'
import { runJobIfDue, type ScheduledJob } from '../../src/jobs/scheduler.ts'
import { checkTicketSla } from '../../src/jobs/sla-check.job.ts'
import { createBusinessCalendar } from '../../src/sla/business-calendar.ts'
import { DEFAULT_SLA_POLICY } from '../../src/sla/sla-policy.ts'
import type { Database, Store } from '../../src/store/database.ts'
import { insertTicketEvent } from '../../src/tickets/ticket-event.repository.ts'
import { insertTicket } from '../../src/tickets/ticket.repository.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

// Shanghai office hours, Monday to Friday 09:00–18:00; 2026-11-02 is a Monday.
const calendar = createBusinessCalendar({
  businessHours: { timeZone: 'Asia/Shanghai', days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
  holidayCalendars: [],
})
const at = (local: string): Date => new Date(`${local}+08:00`)
const iso = (local: string): string => at(local).toISOString()

async function buildTicket(db: Kysely<Database>, overrides: { createdAt: string; status?: string; priority?: string }): Promise<number> {
  const created = at(overrides.createdAt)
  const customer = await upsertCustomerByEmail(db, `c${Math.random().toString(36).slice(2)}@customer.example`, null, created)
  const ticket = await insertTicket(db, {
    subject: 'payment missing',
    channel: 'email',
    customer_id: customer.id,
    status: overrides.status ?? 'new',
    priority: overrides.priority ?? 'normal',
    created_at: created.toISOString(),
    updated_at: created.toISOString(),
    last_message_at: created.toISOString(),
    assignee_agent_id: null,
    merged_into_ticket_id: null,
    first_replied_at: null,
    solved_at: null,
    due_at: null,
    ack_status: null,
  })
  return ticket.id
}

async function eventsOf(db: Kysely<Database>, ticketId: number): Promise<string[]> {
  const rows = await db.selectFrom('ticket_events').select(['type', 'data']).where('ticket_id', '=', ticketId).orderBy('id').execute()
  return rows.map((r) => `${r.type} ${r.data}`)
}

async function ticketOf(db: Kysely<Database>, ticketId: number): Promise<{ priority: string; due_at: string | null }> {
  return db.selectFrom('tickets').select(['priority', 'due_at']).where('id', '=', ticketId).executeTakeFirstOrThrow()
}

for (const dialect of testDialects()) {
  describe(`${dialect}: SLA check job`, () => {
    let store: Store
    const deps = () => ({ db: store.db, calendar, policy: DEFAULT_SLA_POLICY })
    beforeEach(async () => {
      store = await createTestDatabase(dialect)
    })
    afterEach(async () => {
      await store.destroy()
    })

    it('flags a normal ticket near its first-response target at 75 % and breached after 4 business hours, once each', async () => {
      const id = await buildTicket(store.db, { createdAt: '2026-11-02T09:00' })
      expect(await checkTicketSla(deps(), at('2026-11-02T11:59'))).toEqual({ checked: 1, near: 0, breached: 0, escalated: 0, dueUpdated: 1 })
      expect(await ticketOf(store.db, id)).toEqual({ priority: 'normal', due_at: iso('2026-11-02T13:00') })
      expect(await checkTicketSla(deps(), at('2026-11-02T12:00'))).toEqual({ checked: 1, near: 1, breached: 0, escalated: 0, dueUpdated: 0 })
      expect(await checkTicketSla(deps(), at('2026-11-02T12:30'))).toEqual({ checked: 1, near: 0, breached: 0, escalated: 0, dueUpdated: 0 })
      expect(await checkTicketSla(deps(), at('2026-11-02T13:00'))).toEqual({ checked: 1, near: 0, breached: 0, escalated: 0, dueUpdated: 0 })
      expect(await checkTicketSla(deps(), at('2026-11-02T13:01'))).toEqual({ checked: 1, near: 0, breached: 1, escalated: 0, dueUpdated: 0 })
      expect(await checkTicketSla(deps(), at('2026-11-02T15:00'))).toEqual({ checked: 1, near: 0, breached: 0, escalated: 0, dueUpdated: 0 })
      expect(await eventsOf(store.db, id)).toEqual([
        `sla_near {"target":"first_response","dueAt":"${iso('2026-11-02T13:00')}"}`,
        `sla_breached {"target":"first_response","dueAt":"${iso('2026-11-02T13:00')}"}`,
      ])
    })

    it('starts the clock when the first message was received, not when a backlogged worker opened the ticket', async () => {
      const id = await buildTicket(store.db, { createdAt: '2026-11-02T10:00' })
      await store.db.insertInto('ticket_messages').values({
        ticket_id: id, raw_message_id: null, direction: 'inbound', message_id_header: '<q1@customer.example>', in_reply_to: null,
        from_address: 'c@customer.example', from_name: null, subject: 'payment missing', sent_at: null,
        received_at: iso('2026-11-02T09:00'), text_body: 'hello', html_body: null, created_at: iso('2026-11-02T10:00'),
        verdicts: null, findings: null, fields: null, language: null, body_sha256: null, agent_id: null,
      }).execute()
      expect(await checkTicketSla(deps(), at('2026-11-02T12:00'))).toMatchObject({ near: 1 })
      expect((await ticketOf(store.db, id)).due_at).toBe(iso('2026-11-02T13:00'))
    })

    it('moves due_at to the resolution deadline once an agent has answered', async () => {
      const id = await buildTicket(store.db, { createdAt: '2026-11-02T09:00', status: 'open' })
      await store.db.updateTable('tickets').set({ first_replied_at: iso('2026-11-02T10:00') }).where('id', '=', id).execute()
      // 40 business hours from Monday 09:00: four 9-hour days end Thursday 18:00, then 4 hours on Friday.
      await checkTicketSla(deps(), at('2026-11-02T10:30'))
      expect((await ticketOf(store.db, id)).due_at).toBe(iso('2026-11-06T13:00'))
    })

    it('pauses the clock while the ticket waits for the customer', async () => {
      const id = await buildTicket(store.db, { createdAt: '2026-11-02T09:00' })
      await store.db.updateTable('tickets').set({ status: 'pending' }).where('id', '=', id).execute()
      await insertTicketEvent(store.db, { ticketId: id, type: 'status_changed', data: { from: 'new', to: 'pending' }, now: at('2026-11-02T10:00') })
      expect(await checkTicketSla(deps(), at('2026-11-02T14:00'))).toEqual({ checked: 1, near: 0, breached: 0, escalated: 0, dueUpdated: 1 })
      // One hour ran, four paused: the 4-hour target now ends at 17:00.
      expect((await ticketOf(store.db, id)).due_at).toBe(iso('2026-11-02T17:00'))
    })

    it('escalates a ticket nobody answered for 7 days once: event, priority raised one step', async () => {
      const id = await buildTicket(store.db, { createdAt: '2026-11-02T09:00', status: 'open' })
      expect(await checkTicketSla(deps(), at('2026-11-09T08:59'))).toMatchObject({ escalated: 0 })
      expect(await checkTicketSla(deps(), at('2026-11-09T09:00'))).toEqual({ checked: 1, near: 0, breached: 0, escalated: 1, dueUpdated: 1 })
      expect(await checkTicketSla(deps(), at('2026-11-09T10:00'))).toEqual({ checked: 1, near: 0, breached: 0, escalated: 0, dueUpdated: 0 })
      const ticket = await ticketOf(store.db, id)
      // High priority: first response within 2 business hours of Monday 09:00.
      expect(ticket).toEqual({ priority: 'high', due_at: iso('2026-11-02T11:00') })
      const events = await eventsOf(store.db, id)
      expect(events.filter((e) => e.startsWith('escalated'))).toEqual(['escalated {"from":"normal","to":"high","reason":"no_reply_7_days"}'])
      expect(events.filter((e) => e.startsWith('sla_breached')).length).toBe(2)
    })

    it('does not escalate when our reply is newer than the customer message', async () => {
      const id = await buildTicket(store.db, { createdAt: '2026-11-02T09:00', status: 'open' })
      await store.db.insertInto('ticket_messages').values({
        ticket_id: id, raw_message_id: null, direction: 'outbound', message_id_header: '<r1@okpay.example>', in_reply_to: null,
        from_address: 'support@okpay.example', from_name: null, subject: 'Re: payment missing', sent_at: iso('2026-11-02T10:00'),
        received_at: iso('2026-11-02T10:00'), text_body: 'hello', html_body: null, created_at: iso('2026-11-02T10:00'),
        verdicts: null, findings: null, fields: null, language: null, body_sha256: null, agent_id: null,
      }).execute()
      expect(await checkTicketSla(deps(), at('2026-11-10T09:00'))).toMatchObject({ escalated: 0 })
      expect((await ticketOf(store.db, id)).priority).toBe('normal')
    })

    it('two concurrent passes record each flag and escalation exactly once', async () => {
      const ids = [await buildTicket(store.db, { createdAt: '2026-11-02T09:00', status: 'open' }), await buildTicket(store.db, { createdAt: '2026-11-02T08:30' })]
      const [a, b] = await Promise.all([checkTicketSla(deps(), at('2026-11-09T09:00')), checkTicketSla(deps(), at('2026-11-09T09:00'))])
      expect((a?.escalated ?? 0) + (b?.escalated ?? 0)).toBe(2)
      expect((a?.breached ?? 0) + (b?.breached ?? 0)).toBe(4)
      for (const id of ids) {
        const events = await eventsOf(store.db, id)
        expect(events.filter((e) => e.startsWith('escalated')).length).toBe(1)
        expect((await ticketOf(store.db, id)).priority).toBe('high')
      }
    })

    it('ignores solved, closed and merged tickets', async () => {
      await buildTicket(store.db, { createdAt: '2026-11-02T09:00', status: 'solved' })
      await buildTicket(store.db, { createdAt: '2026-11-02T09:00', status: 'closed' })
      expect(await checkTicketSla(deps(), at('2026-11-20T09:00'))).toEqual({ checked: 0, near: 0, breached: 0, escalated: 0, dueUpdated: 0 })
    })
  })

  describe(`${dialect}: scheduled jobs`, () => {
    let store: Store
    beforeEach(async () => {
      store = await createTestDatabase(dialect)
    })
    afterEach(async () => {
      await store.destroy()
    })

    it('runs a job once per interval however many processes ask', async () => {
      let runs = 0
      const job: ScheduledJob = { name: 'count', intervalMs: 60_000, run: async () => void runs++ }
      const now = new Date('2026-11-02T01:00:00Z')
      const outcomes = await Promise.all([runJobIfDue(store, job, now, 'a'), runJobIfDue(store, job, now, 'b'), runJobIfDue(store, job, now, 'c')])
      expect(runs).toBe(1)
      expect(outcomes.filter((o) => o === 'ran')).toEqual(['ran'])
      expect(await runJobIfDue(store, job, new Date('2026-11-02T01:00:59Z'))).toBe('not_due')
      expect(await runJobIfDue(store, job, new Date('2026-11-02T01:01:00Z'))).toBe('ran')
      expect(runs).toBe(2)
    })

    it('records a failed run and tries again in the next interval', async () => {
      const job: ScheduledJob = { name: 'broken', intervalMs: 1000, run: async () => { throw new Error('relay down') } }
      await expect(runJobIfDue(store, job, new Date('2026-11-02T01:00:00Z'))).rejects.toThrow('relay down')
      const row = await store.db.selectFrom('scheduled_jobs').select(['last_error', 'last_started_at']).where('name', '=', 'broken').executeTakeFirstOrThrow()
      expect(row).toEqual({ last_error: 'relay down', last_started_at: '2026-11-02T01:00:00.000Z' })
      await expect(runJobIfDue(store, job, new Date('2026-11-02T01:00:01Z'))).rejects.toThrow('relay down')
    })
  })
}

if (testDialects().includes('postgres')) {
  describe('postgres: scheduled jobs across connections', () => {
    it('a second process cannot run a job while the first holds its advisory lock', async () => {
      const a = await createTestDatabase('postgres')
      try {
        let release: () => void = () => {}
        const blocked = new Promise<void>((resolve) => { release = resolve })
        const slow: ScheduledJob = { name: 'slow', intervalMs: 0, run: () => blocked }
        const first = runJobIfDue(a, slow, new Date('2026-11-02T01:00:00Z'), 'a')
        await new Promise((r) => setTimeout(r, 200))
        // intervalMs 0: only the lock stops the second run.
        expect(await runJobIfDue(a, slow, new Date('2026-11-02T01:00:01Z'), 'b')).toBe('locked')
        release()
        expect(await first).toBe('ran')
      } finally {
        await a.destroy()
      }
    })
  })
}
