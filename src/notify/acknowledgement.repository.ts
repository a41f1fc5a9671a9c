import type { Db } from '../store/database.ts'
import type { TicketMessageRow } from '../tickets/ticket-message.table.ts'
import type { TicketRow } from '../tickets/ticket.table.ts'

// What acknowledging a batch of tickets reads, one query per kind of row for the whole batch: read ticket by ticket,
// it was about a dozen statements per acknowledgement on the worker's main thread. Callers pass at most a few
// hundred ids (the worker's batches hold 100 messages).

export async function listTicketsByIds(db: Db, ids: number[]): Promise<TicketRow[]> {
  if (ids.length === 0) return []
  return db.selectFrom('tickets').selectAll().where('id', 'in', ids).orderBy('id', 'asc').execute()
}

/** What the acknowledgement says about the message that opened a ticket. */
export type FirstMessageFacts = Pick<TicketMessageRow, 'id' | 'ticket_id' | 'language' | 'fields' | 'findings' | 'warnings'>

/** The message that opened each ticket (its lowest id, any direction), as findFirstMessageIdOfTicket picks it. */
export async function listFirstMessagesOfTickets(db: Db, ticketIds: number[]): Promise<FirstMessageFacts[]> {
  if (ticketIds.length === 0) return []
  return db
    .selectFrom('ticket_messages')
    .select(['id', 'ticket_id', 'language', 'fields', 'findings', 'warnings'])
    .where('id', 'in', (eb) => eb.selectFrom('ticket_messages').select((e) => e.fn.min('id').as('id')).where('ticket_id', 'in', ticketIds).groupBy('ticket_id'))
    .execute()
}

/** The Message-ID and References our mail answers. */
export type ThreadingFacts = Pick<TicketMessageRow, 'ticket_id' | 'message_id_header' | 'references_header'>

/** Each ticket's newest inbound message with a Message-ID (the one our mail answers: In-Reply-To, References). */
export async function listLastInboundMessagesOfTickets(db: Db, ticketIds: number[]): Promise<ThreadingFacts[]> {
  if (ticketIds.length === 0) return []
  return db
    .selectFrom('ticket_messages')
    .select(['ticket_id', 'message_id_header', 'references_header'])
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('ticket_messages')
        .select((e) => e.fn.max('id').as('id'))
        .where('ticket_id', 'in', ticketIds)
        .where('direction', '=', 'inbound')
        .where('message_id_header', 'is not', null)
        .groupBy('ticket_id'),
    )
    .execute()
}

/** The digests among these whose attachment was quarantined. */
export async function listQuarantinedDigests(db: Db, sha256s: string[]): Promise<Set<string>> {
  if (sha256s.length === 0) return new Set()
  const rows = await db.selectFrom('attachment_verdicts').select('sha256').where('sha256', 'in', sha256s).where('verdict', '=', 'quarantine').execute()
  return new Set(rows.map((r) => r.sha256))
}

/** The anti-phishing codes of these customers, by customer id (customers without one are absent). */
export async function listAntiPhishingCodes(db: Db, customerIds: number[]): Promise<Map<number, string>> {
  if (customerIds.length === 0) return new Map()
  const rows = await db.selectFrom('anti_phishing_codes').select(['customer_id', 'code']).where('customer_id', 'in', customerIds).execute()
  return new Map(rows.map((r) => [r.customer_id, r.code]))
}

/**
 * Records the acknowledgement outcome of tickets still 'pending': a ticket another process acknowledged meanwhile
 * keeps the status that process gave it.
 */
export async function setPendingAckStatus(db: Db, ticketIds: number[], status: string): Promise<void> {
  if (ticketIds.length === 0) return
  await db.updateTable('tickets').set({ ack_status: status }).where('id', 'in', ticketIds).where('ack_status', '=', 'pending').execute()
}
