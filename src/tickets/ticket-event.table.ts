import type { Generated, Insertable, Selectable } from 'kysely'

export interface TicketEventTable {
  id: Generated<number>
  ticket_id: number
  /** created, message_added, duplicate_delivery, status_changed, … */
  type: string
  /** 'system' or an agent id; null for the pipeline. */
  actor: string | null
  /** JSON object: ids and codes only, never message content. */
  data: Generated<string>
  created_at: string
}
export type TicketEventRow = Selectable<TicketEventTable>
export type NewTicketEventRow = Insertable<TicketEventTable>
