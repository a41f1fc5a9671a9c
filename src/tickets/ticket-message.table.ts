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
  /** JSON: { authentication, spf, dkim, arc, spoofed, impersonation } from the authenticate stage. */
  verdicts: string | null
  /** JSON array of { type, count }: what redaction removed (kinds and counts, never values). */
  findings: string | null
  /** JSON ExtractedFields: accounts, transaction IDs, times, amounts. */
  fields: string | null
  language: string | null
  /** message (from the customer), auto_reply (out-of-office), bounce (a DSN about our mail). */
  kind: Generated<string>
  /** SHA-256 of the normalised text, to recognise a re-send under a new Message-ID. */
  body_sha256: string | null
  /** The agent who wrote an outbound reply or a note. */
  agent_id: number | null
}
export type TicketMessageRow = Selectable<TicketMessageTable>
export type NewTicketMessageRow = Insertable<TicketMessageTable>
