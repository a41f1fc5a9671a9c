import type { FastifyInstance } from 'fastify'
import { createAgent, createApiToken } from '../../src/agents/agent.service.ts'
import type { AgentRole } from '../../src/agents/agent.ts'
import type { Store } from '../../src/store/database.ts'

export interface AgentSession {
  agentId: number
  email: string
  password: string
  /** Headers for app.inject(): the session cookie and the CSRF token (needed on POST/PATCH/DELETE). */
  headers: { cookie: string; 'x-csrf-token': string }
  /** The same agent's API token, as `Authorization: Bearer …` headers. */
  bearer: { authorization: string }
}

let counter = 0

/** Logs in through the real login route; the session cookie and CSRF token as app.inject() headers. */
export async function logIn(app: FastifyInstance, email: string, password: string): Promise<AgentSession['headers']> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
  if (res.statusCode !== 200) throw new Error(`test login failed: ${res.statusCode} ${res.body}`)
  return { cookie: String(res.headers['set-cookie']).split(';')[0] ?? '', 'x-csrf-token': res.json<{ csrfToken: string }>().csrfToken }
}

/** Creates an agent of the role, logs it in through the real login route and issues it an API token. */
export async function createAgentSession(app: FastifyInstance, store: Store, role: AgentRole = 'agent'): Promise<AgentSession> {
  counter++
  const email = `${role}${counter}@okpay.com`
  const password = `test-password-${counter}-long`
  const agent = await createAgent(store.db, { email, password, role, displayName: `${role === 'admin' ? 'Admin' : 'Agent'} ${counter}` }, new Date())
  const headers = await logIn(app, email, password)
  const { token } = await createApiToken(store.db, agent.id, 'test', new Date())
  return { agentId: agent.id, email, password, headers, bearer: { authorization: `Bearer ${token}` } }
}
