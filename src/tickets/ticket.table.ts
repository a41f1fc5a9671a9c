import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface TicketTable {
  id: Generated<number>
  subject: string
  status: Generated<string>
  priority: Generated<string>
  category: Generated<string>
  channel: string
  customer_id: number
  created_at: string
  updated_at: string
  last_message_at: string
}
export type TicketRow = Selectable<TicketTable>
export type NewTicketRow = Insertable<TicketTable>
export type TicketUpdate = Updateable<TicketTable>
