import type { FastifyPluginAsync } from 'fastify'
import type { Store } from '../store/database.ts'
import type { Metrics } from './metrics.ts'

/**
 * GET /metrics in the Prometheus text format. No authentication: it carries counts and latencies only (no
 * addresses, subjects or ids), and the default bind address is loopback. A node bound to a public address must
 * keep /metrics off the load balancer (docs/deploy.md).
 */
export function metricsRoutes(deps: { store: Store; metrics: Metrics; now?: () => Date }): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['system'] } }, async (_request, reply) => {
      const body = await deps.metrics.render(deps.store.db, deps.now?.() ?? new Date())
      return reply.type(deps.metrics.contentType).send(body)
    })
  }
}
