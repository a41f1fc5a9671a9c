import type { Db } from '../store/database.ts'
import type { NewTicketMessageRow, TicketMessageRow } from './ticket-message.table.ts'

export async function insertTicketMessage(db: Db, row: NewTicketMessageRow): Promise<TicketMessageRow> {
  return db.insertInto('ticket_messages').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function findMessageByMessageIdHeader(db: Db, messageId: string): Promise<TicketMessageRow | undefined> {
  return db.selectFrom('ticket_messages').selectAll().where('message_id_header', '=', messageId).executeTakeFirst()
}

/** The newest stored message among these Message-IDs, for threading by In-Reply-To/References. */
export async function findLatestMessageAmong(db: Db, messageIds: string[]): Promise<TicketMessageRow | undefined> {
  if (messageIds.length === 0) return undefined
  return db
    .selectFrom('ticket_messages')
    .selectAll()
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
