/** Roles: agents work tickets; admins also manage agents, templates and read the audit log. */
export const AGENT_ROLES = ['agent', 'admin'] as const
export type AgentRole = (typeof AGENT_ROLES)[number]

export function isAgentRole(value: string): value is AgentRole {
  return (AGENT_ROLES as readonly string[]).includes(value)
}

/** Who is calling: set on every authenticated request. */
export interface AuthenticatedAgent {
  id: number
  email: string
  displayName: string
  role: AgentRole
  language: string | null
  /** session: a browser with a cookie (state changes need the CSRF token); token: an API client. */
  via: 'session' | 'token'
  /** The session's CSRF token (session only). */
  csrfToken?: string
}
