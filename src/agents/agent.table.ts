import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface AgentTable {
  id: Generated<number>
  /** Lowercased login address. */
  email: string
  display_name: string
  /** agent or admin */
  role: Generated<string>
  /** argon2id PHC string; never selected outside the login path. */
  password_hash: string
  /** Preferred UI language (zh-CN or en); null follows the browser. */
  language: string | null
  is_active: Generated<number>
  created_at: string
  updated_at: string
}
export type AgentRow = Selectable<AgentTable>
export type NewAgentRow = Insertable<AgentTable>
export type AgentUpdate = Updateable<AgentTable>

export interface AgentSessionTable {
  /** SHA-256 hex of the cookie value. */
  token_hash: string
  agent_id: number
  csrf_token: string
  created_at: string
  expires_at: string
  ip: string | null
}
export type AgentSessionRow = Selectable<AgentSessionTable>

export interface ApiTokenTable {
  id: Generated<number>
  agent_id: number
  name: string
  /** SHA-256 hex of the token. */
  token_hash: string
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}
export type ApiTokenRow = Selectable<ApiTokenTable>

export interface LoginAttemptTable {
  id: Generated<number>
  /** "email:<address>" or "ip:<address>" */
  key: string
  succeeded: number
  attempted_at: string
}

export interface AuditLogTable {
  id: Generated<number>
  agent_id: number | null
  /** login, logout, login_failed, ticket.assign, ticket.merge, … */
  action: string
  target_type: string | null
  target_id: string | null
  /** JSON object: ids and codes only, never message content or secrets. */
  data: Generated<string>
  ip: string | null
  created_at: string
}
export type AuditLogRow = Selectable<AuditLogTable>

export interface ReplyTemplateTable {
  id: Generated<number>
  name: string
  /** zh-CN or en */
  language: string
  /** Text with {{customer.name}}, {{ticket.number}}, {{agent.name}} placeholders. */
  body: string
  created_at: string
}
export type ReplyTemplateRow = Selectable<ReplyTemplateTable>
