import { sql } from 'kysely'
import type { Store } from '../store/database.ts'
import type { TicketRow } from './ticket.table.ts'

export interface TicketSearchQuery {
  /** Words or phrases; every term must occur in the subject or body of one of the ticket's messages. */
  text?: string | undefined
  status?: string | undefined
  assigneeAgentId?: number | null | undefined
  category?: string | undefined
  /** ISO dates bounding the ticket's creation. */
  createdFrom?: string | undefined
  createdTo?: string | undefined
  limit: number
  offset: number
}

/** Terms of a query: quoted phrases kept whole, otherwise split on whitespace; at most 8. */
export function splitSearchTerms(text: string): string[] {
  const terms: string[] = []
  for (const match of text.matchAll(/"([^"]+)"|(\S+)/g)) {
    const term = (match[1] ?? match[2] ?? '').trim()
    if (term) terms.push(term.slice(0, 100))
  }
  return terms.slice(0, 8)
}

function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/**
 * Full-text search over subjects and bodies, with filters, newest activity first. One function for both
 * databases: SQLite answers terms of 3+ characters from the FTS5 trigram index; PostgreSQL from the
 * pg_trgm GIN index (ILIKE). Shorter terms (two Chinese characters such as 退款) fall back to a scan.
 */
export async function searchTickets(store: Store, query: TicketSearchQuery): Promise<{ rows: TicketRow[]; total: number }> {
  const db = store.db
  const terms = splitSearchTerms(query.text ?? '')
  let base = db.selectFrom('tickets').where('tickets.merged_into_ticket_id', 'is', null)
  if (query.status) base = base.where('tickets.status', '=', query.status)
  if (query.assigneeAgentId === null) base = base.where('tickets.assignee_agent_id', 'is', null)
  else if (query.assigneeAgentId !== undefined) base = base.where('tickets.assignee_agent_id', '=', query.assigneeAgentId)
  if (query.category) base = base.where('tickets.category', '=', query.category)
  if (query.createdFrom) base = base.where('tickets.created_at', '>=', query.createdFrom)
  if (query.createdTo) base = base.where('tickets.created_at', '<', query.createdTo)
  for (const term of terms) {
    if (store.dialect === 'sqlite' && [...term].length >= 3) {
      const phrase = `"${term.replace(/"/g, '""')}"`
      base = base.where('tickets.id', 'in', (eb) =>
        eb.selectFrom('ticket_messages').select('ticket_messages.ticket_id').where('ticket_messages.id', 'in', sql<number>`(select rowid from message_search where message_search match ${phrase})`),
      )
    } else {
      const pattern = likePattern(term)
      const op = store.dialect === 'postgres' ? sql.raw('ilike') : sql.raw('like')
      base = base.where('tickets.id', 'in', (eb) =>
        eb
          .selectFrom('ticket_messages')
          .select('ticket_messages.ticket_id')
          .where(sql<boolean>`(ticket_messages.subject || ' ' || coalesce(ticket_messages.text_body, '')) ${op} ${pattern} escape '\\'`),
      )
    }
  }
  const rows = await base.selectAll('tickets').orderBy('tickets.last_message_at', 'desc').orderBy('tickets.id', 'desc').limit(query.limit).offset(query.offset).execute()
  const count = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
  return { rows, total: Number(count.n) }
}
