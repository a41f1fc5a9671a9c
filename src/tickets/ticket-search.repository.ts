import { sql, type ExpressionBuilder } from 'kysely'
import { isCjkBigram } from '../store/cjk-bigrams.ts'
import type { Database, Store } from '../store/database.ts'
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

/** Matches counted at most; beyond it the count is reported as a lower bound. */
export const MAX_COUNTED = 1000
/** SQLite: at most this many of a term's newest messages are considered (a common word's older hits are skipped). */
export const MAX_MESSAGES_PER_TERM = 2000

/**
 * SQLite: tickets of the messages an FTS5 index matches. The index lists a term's messages newest first; a very
 * common term is bounded to its newest MAX_MESSAGES_PER_TERM messages, so a word in half the mailbox costs the same
 * as a rare one.
 */
function newestMatchingTicketIds(index: 'message_search' | 'message_search_cjk', query: string, contains?: string) {
  return (eb: ExpressionBuilder<Database, 'tickets'>) => {
    const candidates = eb
      .selectFrom('ticket_messages')
      .select('ticket_messages.ticket_id')
      .where(
        'ticket_messages.id',
        'in',
        sql<number>`(select rowid from ${sql.table(index)} where ${sql.table(index)} match ${query} order by rowid desc limit ${MAX_MESSAGES_PER_TERM})`,
      )
    return contains === undefined
      ? candidates
      : candidates.where(sql<boolean>`maildesk_contains(ticket_messages.subject || ' ' || coalesce(ticket_messages.text_body, ''), ${contains})`)
  }
}

/**
 * The FTS5 query that finds the messages holding every trigram of a term of 3+ characters ("refund" → "ref" AND "efu"
 * AND "fun" AND "und"): the trigram index keeps no positions (migration 0084), so these are candidates, and the term
 * itself is then looked for in their text.
 */
export function trigramQuery(term: string): string {
  const chars = [...term]
  const grams = new Set<string>()
  for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars.slice(i, i + 3).join(''))
  return [...grams].map((g) => `"${g.replace(/"/g, '""')}"`).join(' AND ')
}

/**
 * Full-text search over subjects and bodies, with filters, newest activity first. One function for both
 * databases: SQLite answers terms of 3+ characters from the FTS5 trigram index; PostgreSQL from the
 * pg_trgm GIN index (ILIKE). Shorter terms (two Chinese characters such as 退款) use the bigram indexes; others fall
 * back to a scan.
 */
export async function searchTickets(
  store: Store,
  query: TicketSearchQuery,
): Promise<{ rows: TicketRow[]; total: number; totalIsExact: boolean }> {
  const db = store.db
  const terms = splitSearchTerms(query.text ?? '')
  let base = db.selectFrom('tickets').where('tickets.merged_into_ticket_id', 'is', null)
  if (query.status) base = base.where('tickets.status', '=', query.status)
  if (query.assigneeAgentId === null) base = base.where('tickets.assignee_agent_id', 'is', null)
  else if (query.assigneeAgentId !== undefined) base = base.where('tickets.assignee_agent_id', '=', query.assigneeAgentId)
  if (query.category) base = base.where('tickets.category', '=', query.category)
  if (query.createdFrom) base = base.where('tickets.created_at', '>=', query.createdFrom)
  if (query.createdTo) base = base.where('tickets.created_at', '<', query.createdTo)
  // Short terms (below the trigram length) use a correlated EXISTS, so the database walks tickets newest first
  // and stops at the page size instead of scanning every body.
  for (const term of terms) {
    if (store.dialect === 'sqlite' && [...term].length >= 3) {
      base = base.where('tickets.id', 'in', newestMatchingTicketIds('message_search', trigramQuery(term), term))
    } else if (store.dialect === 'sqlite' && isCjkBigram(term)) {
      // Two Chinese characters: the bigram index (migration 0042), bounded like the trigram one.
      base = base.where('tickets.id', 'in', newestMatchingTicketIds('message_search_cjk', `"${term}"`))
    } else if (store.dialect === 'postgres' && isCjkBigram(term)) {
      // Two Chinese characters on PostgreSQL: the GIN index over CJK character pairs (migration 0043).
      base = base.where('tickets.id', 'in', (eb) =>
        eb
          .selectFrom('ticket_messages')
          .select('ticket_messages.ticket_id')
          .where(sql<boolean>`maildesk_cjk_bigrams(ticket_messages.subject || ' ' || coalesce(ticket_messages.text_body, '')) @> array[${term}]::text[]`),
      )
    } else if (store.dialect === 'sqlite' && !/[A-Za-z]/.test(term)) {
      // No letters to fold (Chinese, digits): instr() is a plain byte search, several times cheaper than LIKE.
      base = base.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('ticket_messages')
            .select(sql<number>`1`.as('one'))
            .whereRef('ticket_messages.ticket_id', '=', 'tickets.id')
            .where(sql<boolean>`(instr(ticket_messages.subject, ${term}) > 0 or instr(coalesce(ticket_messages.text_body, ''), ${term}) > 0)`),
        ),
      )
    } else {
      const pattern = likePattern(term)
      const op = store.dialect === 'postgres' ? sql.raw('ilike') : sql.raw('like')
      base = base.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('ticket_messages')
            .select(sql<number>`1`.as('one'))
            .whereRef('ticket_messages.ticket_id', '=', 'tickets.id')
            .where(sql<boolean>`(ticket_messages.subject || ' ' || coalesce(ticket_messages.text_body, '')) ${op} ${pattern} escape '\\'`),
        ),
      )
    }
  }
  const rows = await base.selectAll('tickets').orderBy('tickets.last_message_at', 'desc').orderBy('tickets.id', 'desc').limit(query.limit).offset(query.offset).execute()
  // Counting every match of a common word costs as much as the search itself; past MAX_COUNTED the UI says "1000+".
  const counted = await db
    .selectFrom(base.select('tickets.id').limit(MAX_COUNTED + 1).as('matches'))
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  const total = Number(counted.n)
  return { rows, total: Math.min(total, MAX_COUNTED), totalIsExact: total <= MAX_COUNTED }
}
