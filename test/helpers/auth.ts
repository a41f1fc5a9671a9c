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

/** Creates an agent of the role, logs it in through the real login route and issues it an API token. */
export async function createAgentSession(app: FastifyInstance, store: Store, role: AgentRole = 'agent'): Promise<AgentSession> {
  counter++
  const email = `${role}${counter}@okpay.com`
  const password = `test-password-${counter}-long`
  const agent = await createAgent(store.db, { email, password, role, displayName: `${role === 'admin' ? 'Admin' : 'Agent'} ${counter}` }, new Date())
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
  if (res.statusCode !== 200) throw new Error(`test login failed: ${res.statusCode} ${res.body}`)
  const cookie = String(res.headers['set-cookie']).split(';')[0] ?? ''
  const { csrfToken } = res.json<{ csrfToken: string }>()
  const { token } = await createApiToken(store.db, agent.id, 'test', new Date())
  return { agentId: agent.id, email, password, headers: { cookie, 'x-csrf-token': csrfToken }, bearer: { authorization: `Bearer ${token}` } }
}
