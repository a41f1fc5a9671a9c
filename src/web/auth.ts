import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthenticatedAgent } from '../agents/agent.ts'
import { findAgentByApiToken, findAgentBySession, isCsrfTokenValid } from '../agents/agent.service.ts'
import type { Db } from '../store/database.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** true: the route answers without a session or API token (public pages, login). */
    public?: boolean
  }
  interface FastifyRequest {
    /** The caller, set by the auth hook on every authenticated /api/v1 request. */
    agent: AuthenticatedAgent | null
  }
}

export const SESSION_COOKIE = 'maildesk_session'
export const CSRF_HEADER = 'x-csrf-token'

/** Paths under /api/v1 that anyone may call; everything else needs a session or an API token. */
const PUBLIC_EXACT = new Set(['/api/v1/health', '/api/v1/openapi.json', '/api/v1/official-channels', '/api/v1/verify'])
const PUBLIC_PREFIXES = ['/api/v1/verify/', '/api/v1/public/']
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function isPublicPath(path: string): boolean {
  return PUBLIC_EXACT.has(path) || PUBLIC_PREFIXES.some((p) => path.startsWith(p))
}

/** The value of one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

function unauthenticated(reply: FastifyReply, message = 'log in or send an API token') {
  return reply.code(401).send({ error: { code: 'UNAUTHENTICATED', message } })
}

/** The token of an `Authorization: Bearer <token>` header (scheme in any case, 1-200 characters); else undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : /^Bearer\s+(\S{1,200})$/i.exec(authorization)?.[1]
}

/** Identifies the caller by API token or session cookie; undefined when neither is valid. */
export async function identifyCaller(db: Db, request: FastifyRequest, now: Date): Promise<AuthenticatedAgent | undefined> {
  const authorization = request.headers.authorization
  if (authorization !== undefined) {
    const token = bearerToken(authorization)
    return token ? findAgentByApiToken(db, token, now) : undefined
  }
  const session = readCookie(request.headers.cookie, SESSION_COOKIE)
  return session ? findAgentBySession(db, session, now) : undefined
}

/**
 * Registers the onRequest hook that guards /api/v1: a session cookie (plus the CSRF header on state
 * changes) or `Authorization: Bearer <token>`, except for public paths and routes with `config.public`.
 */
export function registerAuth(app: FastifyInstance, deps: { db: Db; now?: () => Date }): void {
  const now = deps.now ?? (() => new Date())
  app.decorateRequest('agent', null)
  app.addHook('onRequest', async (request, reply) => {
    const path = guardedPath(request)
    if (!path.startsWith('/api/v1/') && path !== '/api/v1') return
    const isPublic = request.routeOptions.config.public === true || isPublicPath(path)
    const agent = await identifyCaller(deps.db, request, now())
    if (agent) request.agent = agent
    if (isPublic) return
    if (!agent) return unauthenticated(reply)
    // Cookies ride along on cross-site requests; a header a foreign page cannot read or set proves intent.
    if (agent.via === 'session' && !SAFE_METHODS.has(request.method)) {
      const header = request.headers[CSRF_HEADER]
      if (!isCsrfTokenValid(agent.csrfToken, typeof header === 'string' ? header : undefined)) {
        return reply.code(403).send({
          error: { code: 'CSRF_TOKEN_INVALID', message: `state changes need the ${CSRF_HEADER} header from GET /api/v1/auth/session` },
        })
      }
    }
  })
}

/**
 * The path the guard judges: the pattern of the route that will answer (/api/v1/tickets/:number), since that is
 * what Fastify dispatches on, after percent-decoding. Judging the raw URL let /%61pi/v1/tickets reach the tickets
 * route without a login. With no route, the decoded path (a 401 rather than a 404 tells nothing).
 */
function guardedPath(request: FastifyRequest): string {
  const route = request.routeOptions.url
  if (route !== undefined && route !== '*' && !route.startsWith('/*')) return route
  const raw = request.url.split('?')[0] ?? ''
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

/** The caller of an authenticated route. @throws when the route was reached without authentication. */
export function requireAgent(request: FastifyRequest): AuthenticatedAgent {
  if (!request.agent) throw new Error('route reached without authentication; is it marked public by mistake?')
  return request.agent
}
