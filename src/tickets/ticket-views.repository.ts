import type { ExpressionBuilder, SelectQueryBuilder } from 'kysely'
import type { Database, Db } from '../store/database.ts'
import type { TicketRow } from './ticket.table.ts'
import { TICKET_VIEWS, type TicketView } from './ticket-workflow.ts'

type TicketQuery = SelectQueryBuilder<Database, 'tickets', object>
const ACTIVE = ['new', 'open'] as const
const OPEN_WORK = ['new', 'open', 'pending'] as const

/** Restricts a tickets query to one view; merged tickets never show (their messages live in the target). */
export function whereInView(q: TicketQuery, view: TicketView, agentId: number, now: Date): TicketQuery {
  const base = q.where('tickets.merged_into_ticket_id', 'is', null)
  switch (view) {
    case 'new':
      return base.where('tickets.status', '=', 'new')
    case 'mine':
      return base.where('tickets.assignee_agent_id', '=', agentId).where('tickets.status', 'in', [...OPEN_WORK])
    case 'unassigned':
      return base.where('tickets.assignee_agent_id', 'is', null).where('tickets.status', 'in', [...ACTIVE])
    case 'overdue':
      return base.where('tickets.status', 'in', [...ACTIVE]).where('tickets.due_at', '<', now.toISOString())
    case 'pending':
      return base.where('tickets.status', '=', 'pending')
    case 'solved':
      return base.where('tickets.status', 'in', ['solved', 'closed'])
    case 'all':
      return base
  }
}

/** How many tickets each view holds for this agent. */
export async function countTicketsInViews(db: Db, agentId: number, now: Date): Promise<Record<TicketView, number>> {
  const out = {} as Record<TicketView, number>
  for (const view of TICKET_VIEWS) {
    const row = await whereInView(db.selectFrom('tickets'), view, agentId, now)
      .select((eb: ExpressionBuilder<Database, 'tickets'>) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow()
    out[view] = Number(row.n)
  }
  return out
}

export type TicketSort = 'due' | 'newest' | 'oldest' | 'updated'

/** One page of a view. `due` puts the nearest SLA deadline first and tickets without one last. */
export async function listTicketsInView(
  db: Db,
  query: { view: TicketView; agentId: number; now: Date; sort: TicketSort; limit: number; offset: number },
): Promise<{ rows: TicketRow[]; total: number }> {
  const base = whereInView(db.selectFrom('tickets'), query.view, query.agentId, query.now)
  let q = base.selectAll('tickets')
  switch (query.sort) {
    case 'due':
      q = q.orderBy((eb) => eb.case().when('tickets.due_at', 'is', null).then(1).else(0).end()).orderBy('tickets.due_at', 'asc').orderBy('tickets.id', 'asc')
      break
    case 'newest':
      q = q.orderBy('tickets.created_at', 'desc').orderBy('tickets.id', 'desc')
      break
    case 'oldest':
      q = q.orderBy('tickets.created_at', 'asc').orderBy('tickets.id', 'asc')
      break
    case 'updated':
      q = q.orderBy('tickets.last_message_at', 'desc').orderBy('tickets.id', 'desc')
      break
  }
  const rows = await q.limit(query.limit).offset(query.offset).execute()
  const count = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
  return { rows, total: Number(count.n) }
}
