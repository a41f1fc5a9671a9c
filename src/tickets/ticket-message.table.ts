import type { Generated, Insertable, Selectable } from 'kysely'

export interface TicketMessageTable {
  id: Generated<number>
  ticket_id: number
  raw_message_id: number | null
  /** inbound (from the customer), outbound (from us), note (internal). */
  direction: string
  message_id_header: string | null
  in_reply_to: string | null
  /** JSON array of Message-IDs. */
  references_header: Generated<string>
  from_address: string | null
  from_name: string | null
  /** JSON arrays of { address, name }. */
  to_addresses: Generated<string>
  cc_addresses: Generated<string>
  reply_to_addresses: Generated<string>
  subject: string
  sent_at: string | null
  received_at: string
  text_body: string | null
  html_body: string | null
  /** JSON array of { key, value } in message order. */
  headers: Generated<string>
  /** JSON array of { code, detail } from the pipeline stages. */
  warnings: Generated<string>
  created_at: string
  /** The agent who wrote an outbound reply or a note. */
  agent_id: number | null
}
export type TicketMessageRow = Selectable<TicketMessageTable>
export type NewTicketMessageRow = Insertable<TicketMessageTable>
