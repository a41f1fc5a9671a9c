import type { FastifyPluginAsync } from 'fastify'
import { sameSecret } from '../public/signing-key.ts'
import type { Store } from '../store/database.ts'
import { bearerToken } from '../web/auth.ts'
import type { Metrics } from './metrics.ts'

/**
 * True when the scrape may read the metrics: no token is configured, or the Authorization header is
 * `Bearer <token>` (compared in constant time, sameSecret).
 */
export function metricsScrapeAllowed(authorization: string | undefined, token: string | undefined): boolean {
  return token === undefined || sameSecret(bearerToken(authorization) ?? '', token)
}

/** The refusal of a scrape without the token, the same from the web app and from a node's --metrics-port listener. */
export const METRICS_UNAUTHENTICATED = {
  status: 401,
  headers: { 'www-authenticate': 'Bearer realm="metrics"' },
  body: { error: { code: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <MAILDESK_METRICS_TOKEN>' } },
} as const

/**
 * GET /metrics in the Prometheus text format. It carries counts and latencies only (no addresses, subjects or ids);
 * with MAILDESK_METRICS_TOKEN set it answers only that bearer token, else anyone who can reach it (the default bind
 * address is loopback; docs/deploy.md).
 */
export function metricsRoutes(deps: { store: Store; metrics: Metrics; token: string | undefined; now?: () => Date }): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['system'] } }, async (request, reply) => {
      if (!metricsScrapeAllowed(request.headers.authorization, deps.token)) {
        return reply.code(METRICS_UNAUTHENTICATED.status).headers(METRICS_UNAUTHENTICATED.headers).send(METRICS_UNAUTHENTICATED.body)
      }
      const body = await deps.metrics.render(deps.store.db, deps.now?.() ?? new Date())
      return reply.type(deps.metrics.contentType).send(body)
    })
  }
}
