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
  assignee_agent_id: number | null
  /** JSON array of tag strings. */
  tags: Generated<string>
  /** Set when this ticket was merged into another; its messages moved there. */
  merged_into_ticket_id: number | null
  first_replied_at: string | null
  solved_at: string | null
  /** The next SLA deadline; views sort and flag overdue by it. */
  due_at: string | null
  /** pending: owed and not yet sent (caught up after a crash); sent; or skipped:<reason>. Null for old tickets. */
  ack_status: string | null
}
export type TicketRow = Selectable<TicketTable>
export type NewTicketRow = Insertable<TicketTable>
export type TicketUpdate = Updateable<TicketTable>
