import type { FastifyInstance } from 'fastify'
import { agentRoutes } from '../agents/agent.routes.ts'
import { dashboardRoutes } from '../dashboard/dashboard.routes.ts'
import { replyTemplateRoutes } from '../tickets/reply-template.routes.ts'
import { createInProcessEventBus, watchTicketEvents, type LiveEventBus } from '../tickets/ticket-live-events.ts'
import { ticketReplyRoutes } from '../tickets/ticket-reply.routes.ts'
import { ticketWorkspaceRoutes } from '../tickets/ticket-workspace.routes.ts'
import type { MailTransport } from '../notify/mail-transport.ts'
import type { AppDeps } from './app.ts'
import { registerAuth } from './auth.ts'
import { uiRoutes } from './ui.routes.ts'

export interface WorkspaceOptions {
  /** Live updates; defaults to an in-process bus fed by polling ticket_events. */
  bus?: LiveEventBus
  now?: () => Date
  /** Where agent replies go; defaults to a transport opened from the config (SMTP relay or the outbox). */
  transport?: MailTransport
}

/**
 * The agent workspace: the /api/v1 auth guard (register before any route), login and agents, ticket
 * actions and views, search, templates, the dashboard, live updates and the UI at /agent/.
 */
export async function registerWorkspace(app: FastifyInstance, deps: AppDeps, options: WorkspaceOptions = {}): Promise<void> {
  registerAuth(app, { db: deps.store.db, ...(options.now ? { now: options.now } : {}) })
  let bus = options.bus
  if (!bus) {
    bus = createInProcessEventBus()
    const stop = watchTicketEvents(deps.store.db, bus)
    app.addHook('onClose', async () => stop())
  }
  const withNow = { ...deps, ...(options.now ? { now: options.now } : {}) }
  await app.register(agentRoutes(withNow))
  await app.register(ticketWorkspaceRoutes({ ...withNow, bus }))
  await app.register(ticketReplyRoutes({ ...withNow, transport: options.transport }))
  await app.register(replyTemplateRoutes(withNow))
  await app.register(dashboardRoutes(withNow))
  await app.register(uiRoutes())
}
