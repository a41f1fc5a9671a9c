import type { Db } from '../store/database.ts'
import type { NewTicketMessageRow, TicketMessageRow } from './ticket-message.table.ts'

/** Inserts one message and returns its id only: bodies can be megabytes, and nobody needs them back. */
export async function insertTicketMessage(db: Db, row: NewTicketMessageRow): Promise<{ id: number }> {
  return db.insertInto('ticket_messages').values(row).returning('id').executeTakeFirstOrThrow()
}

/**
 * What threading needs to know of a stored message. Threading looks messages up for every inbound one; reading
 * whole rows read their bodies and headers too (a row's later columns live in overflow pages), several times the
 * cost of the lookup.
 */
export type ThreadedMessageRef = Pick<TicketMessageRow, 'id' | 'ticket_id' | 'from_address'>

const THREADED_MESSAGE_REF = ['id', 'ticket_id', 'from_address'] as const

export async function findMessageByMessageIdHeader(db: Db, messageId: string): Promise<ThreadedMessageRef | undefined> {
  return db.selectFrom('ticket_messages').select(THREADED_MESSAGE_REF).where('message_id_header', '=', messageId).executeTakeFirst()
}

/** The newest stored message among these Message-IDs, for threading by In-Reply-To/References. */
export async function findLatestMessageAmong(db: Db, messageIds: string[]): Promise<ThreadedMessageRef | undefined> {
  if (messageIds.length === 0) return undefined
  return db
    .selectFrom('ticket_messages')
    .select(THREADED_MESSAGE_REF)
    .where('message_id_header', 'in', messageIds)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function listMessagesOfTicket(db: Db, ticketId: number): Promise<TicketMessageRow[]> {
  return db.selectFrom('ticket_messages').selectAll().where('ticket_id', '=', ticketId).orderBy('id', 'asc').execute()
}

export async function findMessageById(db: Db, id: number): Promise<TicketMessageRow | undefined> {
  return db.selectFrom('ticket_messages').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The id of the message that opened the ticket. */
export async function findFirstMessageIdOfTicket(db: Db, ticketId: number): Promise<number | undefined> {
  const row = await db.selectFrom('ticket_messages').select('id').where('ticket_id', '=', ticketId).orderBy('id', 'asc').limit(1).executeTakeFirst()
  return row?.id
}

/** An inbound message from this sender with the same text since `since`: a re-send under a new Message-ID. */
export async function findRecentInboundWithBody(
  db: Db,
  fromAddress: string,
  bodySha256: string,
  since: Date,
): Promise<ThreadedMessageRef | undefined> {
  return db
    .selectFrom('ticket_messages')
    .select(THREADED_MESSAGE_REF)
    .where('from_address', '=', fromAddress)
    .where('body_sha256', '=', bodySha256)
    .where('direction', '=', 'inbound')
    .where('received_at', '>=', since.toISOString())
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** True when the address wrote a message on the ticket (the customer's colleagues in Cc who replied, say). */
export async function hasMessageFrom(db: Db, ticketId: number, address: string): Promise<boolean> {
  const row = await db
    .selectFrom('ticket_messages')
    .select('id')
    .where('ticket_id', '=', ticketId)
    .where('from_address', '=', address)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}
