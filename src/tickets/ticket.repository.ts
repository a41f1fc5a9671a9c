import { SqliteAdapter } from 'kysely'
import type { Db } from '../store/database.ts'
import type { NewTicketRow, TicketRow, TicketUpdate } from './ticket.table.ts'

/**
 * Inserts one ticket and returns its id. SQLite gets no RETURNING: SQLite runs RETURNING like a trigger, so the
 * insert gets a statement journal, and opening one makes FTS5 flush the message search index's pending rows to
 * a new segment (xSavepoint). In a batch that meant one flush (and its merges) per ticket, a sixth of ingest.
 */
export async function insertTicket(db: Db, row: NewTicketRow): Promise<{ id: number }> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    const result = await db.insertInto('tickets').values(row).executeTakeFirstOrThrow()
    return { id: Number(result.insertId) }
  }
  return db.insertInto('tickets').values(row).returning('id').executeTakeFirstOrThrow()
}

export async function findTicketById(db: Db, id: number): Promise<TicketRow | undefined> {
  return db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function updateTicket(db: Db, id: number, update: TicketUpdate): Promise<void> {
  await db.updateTable('tickets').set(update).where('id', '=', id).execute()
}

export interface TicketListQuery {
  status?: string | undefined
  limit: number
  offset: number
}

/** Newest activity first. */
export async function listTickets(db: Db, query: TicketListQuery): Promise<{ rows: TicketRow[]; total: number }> {
  let base = db.selectFrom('tickets')
  if (query.status) base = base.where('status', '=', query.status)
  const rows = await base.selectAll().orderBy('last_message_at', 'desc').orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute()
  const count = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
  return { rows, total: Number(count.n) }
}

/**
 * Id and subject of the customer's tickets with activity since `since` that are not closed, newest first; among
 * equally recent ones the older ticket first. Read in tickets_customer_activity_idx's order, stopping at `limit`.
 */
export async function listRecentOpenTicketsOfCustomer(
  db: Db,
  customerId: number,
  since: Date,
  limit = 20,
): Promise<Array<Pick<TicketRow, 'id' | 'subject'>>> {
  return db
    .selectFrom('tickets')
    .select(['id', 'subject'])
    .where('customer_id', '=', customerId)
    .where('status', '!=', 'closed')
    .where('merged_into_ticket_id', 'is', null)
    .where('last_message_at', '>=', since.toISOString())
    .orderBy('last_message_at', 'desc')
    .orderBy('id', 'asc')
    .limit(limit)
    .execute()
}

/** Ids of tickets with this acknowledgement status, oldest first. */
export async function listTicketIdsByAckStatus(db: Db, status: string, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('tickets').select('id').where('ack_status', '=', status).orderBy('id', 'asc').limit(limit).execute()
  return rows.map((r) => r.id)
}
