import type { Db } from '../store/database.ts'
import type { TicketEventRow } from './ticket-event.table.ts'

/** Records one audit event; `data` carries ids and codes only, never message content. */
export async function insertTicketEvent(
  db: Db,
  event: { ticketId: number; type: string; actor?: string | null; data?: Record<string, unknown>; now: Date },
): Promise<void> {
  await db
    .insertInto('ticket_events')
    .values({
      ticket_id: event.ticketId,
      type: event.type,
      actor: event.actor ?? null,
      data: JSON.stringify(event.data ?? {}),
      created_at: event.now.toISOString(),
    })
    .execute()
}

export async function listEventsOfTicket(db: Db, ticketId: number): Promise<TicketEventRow[]> {
  return db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('id', 'asc').execute()
}
