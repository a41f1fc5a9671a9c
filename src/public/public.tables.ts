import type { Generated, Selectable } from 'kysely'

export interface PublicSigningKeyTable {
  purpose: string
  key_hex: string
  created_at: string
}

export interface PortalLinkTable {
  id: Generated<number>
  /** SHA-256 hex of the token mailed to the customer; the token itself is never stored. */
  token_hash: string
  ticket_id: number
  customer_id: number
  created_at: string
  expires_at: string
  used_at: string | null
}
export type PortalLinkRow = Selectable<PortalLinkTable>

export interface PortalSessionTable {
  id: Generated<number>
  token_hash: string
  ticket_id: number
  customer_id: number
  created_at: string
  expires_at: string
}
export type PortalSessionRow = Selectable<PortalSessionTable>

export interface AntiPhishingCodeTable {
  customer_id: number
  code: string
  updated_at: string
}

export interface SurveyResponseTable {
  id: Generated<number>
  ticket_id: number
  /** 1 (very unhappy) … 5 (very happy). */
  rating: number
  comment: string | null
  created_at: string
  updated_at: string
}

export interface ChatConversationTable {
  id: Generated<number>
  token_hash: string
  ticket_id: number
  /** open, closed. */
  status: Generated<string>
  language: string
  created_at: string
  last_activity_at: string
}
export type ChatConversationRow = Selectable<ChatConversationTable>

export interface ChatAgentPresenceTable {
  connection_id: string
  agent: string
  last_seen_at: string
}
