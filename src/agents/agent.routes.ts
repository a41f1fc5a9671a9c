import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../web/app.ts'
import { requireAgent, SESSION_COOKIE, readCookie } from '../web/auth.ts'
import type { AuthenticatedAgent } from './agent.ts'
import { listAgents } from './agent.repository.ts'
import {
  changeOwnPassword,
  createAgent,
  createApiToken,
  endSession,
  ForbiddenError,
  logIn,
  revokeApiToken,
} from './agent.service.ts'
import { insertAuditEntry, listAuditEntries } from './audit-log.repository.ts'
import { ROW_ID_SCHEMA } from '../tickets/ticket-number.ts'
import { forgetFirstAdminPassword } from './first-admin.ts'

function presentAgent(a: AuthenticatedAgent) {
  return { id: a.id, email: a.email, displayName: a.displayName, role: a.role, language: a.language }
}

/** @throws ForbiddenError unless the caller is an admin. */
export function requireAdmin(request: FastifyRequest): AuthenticatedAgent {
  const agent = requireAgent(request)
  if (agent.role !== 'admin') throw new ForbiddenError('only admins can do this')
  return agent
}

function sessionCookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  // Secure only over https, so `npm start` on http://127.0.0.1 still works.
  const secure = request.protocol === 'https' ? '; Secure' : ''
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`
}

const emailPassword = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: { email: { type: 'string', minLength: 3, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
} as const

/** Login, logout, the current agent, agents, API tokens and the audit log. */
export function agentRoutes(deps: AppDeps & { now?: () => Date }) {
  const db = deps.store.db
  const now = deps.now ?? (() => new Date())
  return async function register(app: FastifyInstance): Promise<void> {
    app.post<{ Body: { email: string; password: string } }>(
      '/api/v1/auth/login',
      { config: { public: true }, schema: { summary: 'Log in with email and password; sets the session cookie', tags: ['auth'], body: emailPassword } },
      async (request, reply) => {
        const result = await logIn(db, { ...request.body, ip: request.ip }, now())
        const maxAge = Math.round((result.expiresAt.getTime() - now().getTime()) / 1000)
        void reply.header('set-cookie', sessionCookie(request, result.sessionToken, maxAge))
        return { agent: presentAgent(result.agent), csrfToken: result.agent.csrfToken }
      },
    )

    app.post('/api/v1/auth/logout', { schema: { summary: 'End the session', tags: ['auth'] } }, async (request, reply: FastifyReply) => {
      const agent = requireAgent(request)
      const token = readCookie(request.headers.cookie, SESSION_COOKIE)
      if (token) await endSession(db, token)
      await insertAuditEntry(db, { agentId: agent.id, action: 'logout', ip: request.ip, now: now() })
      void reply.header('set-cookie', sessionCookie(request, '', 0))
      return { ok: true }
    })

    app.get('/api/v1/auth/session', { schema: { summary: 'The logged-in agent and the CSRF token for state changes', tags: ['auth'] } }, async (request) => {
      const agent = requireAgent(request)
      return { agent: presentAgent(agent), csrfToken: agent.csrfToken ?? null }
    })

    app.patch<{ Body: { language?: string | null; password?: string; currentPassword?: string } }>(
      '/api/v1/auth/me',
      {
        schema: {
          summary: 'Change my UI language or password',
          tags: ['auth'],
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              language: { type: ['string', 'null'], enum: ['zh-CN', 'en', null] },
              password: { type: 'string', maxLength: 256 },
              currentPassword: { type: 'string', maxLength: 256 },
            },
          },
        },
      },
      async (request) => {
        const agent = requireAgent(request)
        if (request.body.language !== undefined) {
          await db.updateTable('agents').set({ language: request.body.language, updated_at: now().toISOString() }).where('id', '=', agent.id).execute()
        }
        if (request.body.password !== undefined) {
          await changeOwnPassword(db, agent, { currentPassword: request.body.currentPassword ?? '', password: request.body.password, ip: request.ip }, now())
          forgetFirstAdminPassword(deps.config, agent.email)
        }
        return { ok: true }
      },
    )

    app.get('/api/v1/agents', { schema: { summary: 'Every agent (for assignment)', tags: ['agents'] } }, async () => {
      const agents = await listAgents(db)
      return {
        agents: agents.map((a) => ({ id: a.id, email: a.email, displayName: a.display_name, role: a.role, isActive: a.is_active === 1 })),
      }
    })

    app.post<{ Body: { email: string; password: string; role: string; displayName?: string } }>(
      '/api/v1/agents',
      {
        schema: {
          summary: 'Create an agent (admins only)',
          tags: ['agents'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['email', 'password', 'role'],
            properties: {
              ...emailPassword.properties,
              role: { type: 'string', enum: ['agent', 'admin'] },
              displayName: { type: 'string', maxLength: 100 },
            },
          },
        },
      },
      async (request, reply) => {
        const admin = requireAdmin(request)
        const created = await createAgent(db, request.body, now())
        await insertAuditEntry(db, { agentId: admin.id, action: 'agent.create', targetType: 'agent', targetId: created.id, data: { role: created.role }, ip: request.ip, now: now() })
        return reply.code(201).send({ id: created.id, email: created.email, displayName: created.display_name, role: created.role })
      },
    )

    app.post<{ Body: { name: string } }>(
      '/api/v1/api-tokens',
      {
        schema: {
          summary: 'Issue an API token for me; it is shown once',
          tags: ['auth'],
          body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 100 } } },
        },
      },
      async (request, reply) => {
        const agent = requireAgent(request)
        const token = await createApiToken(db, agent.id, request.body.name, now())
        await insertAuditEntry(db, { agentId: agent.id, action: 'api_token.create', targetType: 'api_token', targetId: token.id, ip: request.ip, now: now() })
        return reply.code(201).send(token)
      },
    )

    app.delete<{ Params: { id: number } }>(
      '/api/v1/api-tokens/:id',
      { schema: { summary: 'Revoke one of my API tokens', tags: ['auth'], params: { type: 'object', properties: { id: ROW_ID_SCHEMA }, required: ['id'] } } },
      async (request) => {
        const agent = requireAgent(request)
        const revoked = await revokeApiToken(db, agent.id, request.params.id, now())
        if (revoked) await insertAuditEntry(db, { agentId: agent.id, action: 'api_token.revoke', targetType: 'api_token', targetId: request.params.id, ip: request.ip, now: now() })
        return { revoked }
      },
    )

    app.get<{ Querystring: { limit: number; before?: number } }>(
      '/api/v1/audit-log',
      {
        schema: {
          summary: 'Who did what, newest first (admins only)',
          tags: ['agents'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, before: ROW_ID_SCHEMA },
          },
        },
      },
      async (request) => {
        requireAdmin(request)
        const rows = await listAuditEntries(db, { limit: request.query.limit, beforeId: request.query.before })
        return {
          entries: rows.map((r) => ({
            id: r.id,
            agentId: r.agent_id,
            action: r.action,
            targetType: r.target_type,
            targetId: r.target_id,
            data: JSON.parse(r.data) as unknown,
            ip: r.ip,
            createdAt: r.created_at,
          })),
        }
      },
    )
  }
}
