import type { Logger } from '../logger.ts'
import type { BusinessCalendar } from '../sla/business-calendar.ts'
import {
  assessTicketSla,
  raisePriority,
  type SlaClock,
  type SlaPolicy,
  type StatusChange,
  type TicketPriority,
  type TicketStatus,
} from '../sla/sla-policy.ts'
import type { Db } from '../store/database.ts'
import { insertTicketEvent } from '../tickets/ticket-event.repository.ts'
import type { ScheduledJob } from './scheduler.ts'

export interface SlaCheckDeps {
  db: Db
  calendar: BusinessCalendar
  policy: SlaPolicy
  log?: Logger
}

export interface SlaCheckResult {
  checked: number
  near: number
  breached: number
  escalated: number
  dueUpdated: number
}

/** Tickets whose clocks can still move: ours to act on, or waiting for the customer. */
const ACTIVE_STATUSES: TicketStatus[] = ['new', 'open', 'pending']
const PAGE_SIZE = 500

/**
 * One SLA pass at `now`: flags open tickets near and past their first-response and resolution targets
 * (ticket events sla_near / sla_breached, once per target), escalates tickets whose customer has waited
 * `policy.silenceEscalationMs` without a reply (event escalated, priority raised, once per wait), and keeps
 * tickets.due_at on the next deadline. Each flag is claimed by inserting into ticket_sla_flags, whose
 * primary key makes concurrent passes and re-runs after a crash harmless.
 */
export async function checkTicketSla(deps: SlaCheckDeps, now: Date): Promise<SlaCheckResult> {
  const result: SlaCheckResult = { checked: 0, near: 0, breached: 0, escalated: 0, dueUpdated: 0 }
  let afterId = 0
  for (;;) {
    const tickets = await deps.db
      .selectFrom('tickets')
      .select(['id', 'status', 'priority', 'created_at', 'first_replied_at', 'last_message_at', 'due_at'])
      .where('status', 'in', ACTIVE_STATUSES)
      .where('merged_into_ticket_id', 'is', null)
      .where('id', '>', afterId)
      .orderBy('id', 'asc')
      .limit(PAGE_SIZE)
      .execute()
    const last = tickets[tickets.length - 1]
    if (!last) return result
    afterId = last.id
    const ids = tickets.map((t) => t.id)
    const changes = await loadStatusChanges(deps.db, ids)
    const lastReplies = await loadLastAgentReplies(deps.db, ids)
    const firstReceived = await loadFirstReceived(deps.db, ids)
    // A breached ticket stays breached pass after pass: its flags are read here, once per page, so the pass does
    // not open a transaction per ticket and target every minute only to find the flag taken.
    const flagged = await loadRaisedFlags(deps.db, ids)
    for (const ticket of tickets) {
      result.checked++
      const priority = asPriority(ticket.priority)
      const input = {
        // The clock starts when the first message was received (as the pipeline's due time does), not when a
        // worker got round to it: a queue backlog must not buy the ticket extra time.
        statusChanges: [{ status: 'new' as const, at: firstReceived.get(ticket.id) ?? new Date(ticket.created_at) }, ...(changes.get(ticket.id) ?? [])],
        firstRespondedAt: ticket.first_replied_at ? new Date(ticket.first_replied_at) : undefined,
        lastCustomerMessageAt: new Date(ticket.last_message_at),
        lastAgentReplyAt: lastReplies.get(ticket.id),
      }
      let assessment = assessTicketSla(deps.calendar, deps.policy, { ...input, priority }, now)
      for (const [target, clock] of [['first_response', assessment.firstResponse], ['resolution', assessment.resolution]] as const) {
        if (clock.state !== 'near' && clock.state !== 'breached') continue
        if (flagged.has(`${ticket.id} ${target}:${clock.state}`)) continue
        if (await raiseFlag(deps.db, ticket.id, `${target}:${clock.state}`, now, { type: `sla_${clock.state}`, data: { target, dueAt: clock.dueAt.toISOString() } })) {
          result[clock.state]++
        }
      }
      let currentPriority = priority
      if (assessment.escalate) {
        const raised = raisePriority(priority)
        const flag = `escalated:${input.lastCustomerMessageAt.toISOString()}`
        const escalated = !flagged.has(`${ticket.id} ${flag}`) && (await raiseFlag(deps.db, ticket.id, flag, now, { type: 'escalated', data: { from: priority, to: raised, reason: 'no_reply_7_days' } }, raised))
        if (escalated) {
          result.escalated++
          currentPriority = raised
          assessment = assessTicketSla(deps.calendar, deps.policy, { ...input, priority: raised }, now)
        }
      }
      const due = nextDueAt(ticket.first_replied_at === null, assessment.firstResponse, assessment.resolution)
      if (due !== ticket.due_at) {
        await deps.db.updateTable('tickets').set({ due_at: due }).where('id', '=', ticket.id).execute()
        result.dueUpdated++
      }
      if (currentPriority !== priority) deps.log?.info({ ticketId: ticket.id, from: priority, to: currentPriority }, 'ticket escalated')
    }
  }
}

/** The scheduled-job wrapper: one pass a minute by default. */
export function slaCheckJob(deps: SlaCheckDeps, intervalMs = 60_000): ScheduledJob {
  return {
    name: 'sla-check',
    intervalMs,
    run: async (now) => {
      const result = await checkTicketSla(deps, now)
      if (result.near + result.breached + result.escalated > 0) deps.log?.info(result, 'sla pass')
      return { ...result }
    },
  }
}

/**
 * Inserts the flag and, only when this call inserted it, the ticket event (and the raised priority), all in one
 * transaction: a concurrent pass blocks on the same key and then finds it taken.
 */
async function raiseFlag(
  db: Db,
  ticketId: number,
  flag: string,
  now: Date,
  event: { type: string; data: Record<string, unknown> },
  raisePriorityTo?: TicketPriority,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('ticket_sla_flags')
      .values({ ticket_id: ticketId, flag, created_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['ticket_id', 'flag']).doNothing())
      .returning('flag')
      .executeTakeFirst()
    if (!inserted) return false
    if (raisePriorityTo) {
      await trx.updateTable('tickets').set({ priority: raisePriorityTo, updated_at: now.toISOString() }).where('id', '=', ticketId).execute()
    }
    await insertTicketEvent(trx, { ticketId, type: event.type, actor: 'system', data: event.data, now })
    return true
  })
}

/** The first-response deadline until we have answered, then the resolution deadline while it is open. */
function nextDueAt(awaitingFirstResponse: boolean, firstResponse: SlaClock, resolution: SlaClock): string | null {
  if (awaitingFirstResponse) return firstResponse.dueAt.toISOString()
  if (resolution.state === 'met') return null
  return resolution.dueAt.toISOString()
}

async function loadStatusChanges(db: Db, ticketIds: number[]): Promise<Map<number, StatusChange[]>> {
  const rows = await db
    .selectFrom('ticket_events')
    .select(['ticket_id', 'data', 'created_at'])
    .where('ticket_id', 'in', ticketIds)
    .where('type', '=', 'status_changed')
    .orderBy('id', 'asc')
    .execute()
  const out = new Map<number, StatusChange[]>()
  for (const row of rows) {
    const to = statusOf(row.data)
    if (!to) continue
    const list = out.get(row.ticket_id) ?? []
    list.push({ status: to, at: new Date(row.created_at) })
    out.set(row.ticket_id, list)
  }
  return out
}

/** The flags already raised for these tickets, as "<ticket id> <flag>". */
async function loadRaisedFlags(db: Db, ticketIds: number[]): Promise<Set<string>> {
  const rows = await db.selectFrom('ticket_sla_flags').select(['ticket_id', 'flag']).where('ticket_id', 'in', ticketIds).execute()
  return new Set(rows.map((r) => `${r.ticket_id} ${r.flag}`))
}

async function loadFirstReceived(db: Db, ticketIds: number[]): Promise<Map<number, Date>> {
  const rows = await db
    .selectFrom('ticket_messages')
    .select(['ticket_id', (eb) => eb.fn.min('received_at').as('first')])
    .where('ticket_id', 'in', ticketIds)
    .where('direction', '=', 'inbound')
    .groupBy('ticket_id')
    .execute()
  return new Map(rows.flatMap((r) => (r.first ? [[r.ticket_id, new Date(r.first)] as const] : [])))
}

async function loadLastAgentReplies(db: Db, ticketIds: number[]): Promise<Map<number, Date>> {
  const rows = await db
    .selectFrom('ticket_messages')
    .select(['ticket_id', (eb) => eb.fn.max('created_at').as('last')])
    .where('ticket_id', 'in', ticketIds)
    .where('direction', '=', 'outbound')
    .groupBy('ticket_id')
    .execute()
  return new Map(rows.flatMap((r) => (r.last ? [[r.ticket_id, new Date(r.last)] as const] : [])))
}

const STATUSES: ReadonlySet<string> = new Set(['new', 'open', 'pending', 'solved', 'closed'])

function statusOf(data: string): TicketStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(data)
    if (typeof parsed !== 'object' || parsed === null || !('to' in parsed)) return undefined
    const to = parsed.to
    return typeof to === 'string' && STATUSES.has(to) ? toStatus(to) : undefined
  } catch {
    return undefined
  }
}

function toStatus(value: string): TicketStatus {
  return value === 'open' || value === 'pending' || value === 'solved' || value === 'closed' ? value : 'new'
}

function asPriority(value: string): TicketPriority {
  return value === 'low' || value === 'high' || value === 'urgent' ? value : 'normal'
}
