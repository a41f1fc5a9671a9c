import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

/** acknowledgement, notice and survey are automatic mail; reply is written by an agent. */
export type OutboundKind = 'acknowledgement' | 'reply' | 'notice' | 'survey'
export type OutboundStatus = 'queued' | 'sent' | 'failed' | 'bounced'

export interface OutboundMessageTable {
  id: Generated<number>
  ticket_id: number
  /** The thread entry (direction 'outbound') of an agent reply; null for automatic mail. */
  ticket_message_id: number | null
  /** Our HMAC'd Message-ID, with angle brackets. */
  message_id_header: string
  kind: OutboundKind
  /** Lowercased recipient address. */
  to_address: string
  subject: string
  /** XXXX-XXXX, printed in the footer so a customer can check the mail at /verify. */
  verification_code: string
  /** The composed message before DKIM signing; a retry sends exactly these bytes. */
  raw_mime: string
  status: Generated<OutboundStatus>
  attempts: Generated<number>
  /** The last send error (operator text, no content). */
  error: string | null
  /** The outbox file name or the relay's answer. */
  transport_id: string | null
  created_at: string
  sent_at: string | null
  last_attempt_at: string | null
  bounced_at: string | null
}
export type OutboundMessageRow = Selectable<OutboundMessageTable>
export type NewOutboundMessageRow = Insertable<OutboundMessageTable>
export type OutboundMessageUpdate = Updateable<OutboundMessageTable>
