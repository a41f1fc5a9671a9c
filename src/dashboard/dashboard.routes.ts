import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../web/app.ts'
import { loadDashboard } from './dashboard.repository.ts'

const DAY_MS = 86_400_000

export function dashboardRoutes(deps: AppDeps & { now?: () => Date }) {
  const now = deps.now ?? (() => new Date())
  return async function register(app: FastifyInstance): Promise<void> {
    app.get<{ Querystring: { days: number } }>(
      '/api/v1/dashboard',
      {
        schema: {
          summary: 'Volume, first-response and resolution times, SLA compliance, categories, phishing reports',
          tags: ['workspace'],
          querystring: { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: 366, default: 30 } } },
        },
      },
      async (request) => {
        const to = now()
        const from = new Date(Date.parse(to.toISOString().slice(0, 10)) - (request.query.days - 1) * DAY_MS)
        return loadDashboard(deps.store, { from, to, now: to })
      },
    )
  }
}
