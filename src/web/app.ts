import swagger from '@fastify/swagger'
import { createMetrics, type Metrics } from '../metrics/metrics.ts'
import { metricsRoutes } from '../metrics/metrics.routes.ts'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Config } from '../config.ts'
import { countRawMessagesByStatus } from '../intake/raw-message.repository.ts'
import { imapMailboxRoutes } from '../intake/imap-mailbox.routes.ts'
import { rawMessageRoutes } from '../intake/raw-message.routes.ts'
import type { RawMessageSpool } from '../intake/raw-message-spool.ts'
import type { Logger } from '../logger.ts'
import type { MailTransport } from '../notify/mail-transport.ts'
import type { DnsResolver } from '../pipeline/authenticate-sender.ts'
import { outboundRoutes } from '../notify/outbound.routes.ts'
import { publicRoutes, type PublicRouteOptions } from '../public/public.routes.ts'
import { resolvePublicOptions } from '../public/public-options.ts'
import { UploadBudget } from '../public/upload-budget.ts'
import type { Store } from '../store/database.ts'
import { ticketRoutes } from '../tickets/ticket.routes.ts'
import { registerPlainQueryNumbers } from './plain-query-numbers.ts'
import { registerErrorHandler } from './error-handler.ts'
import { registerWorkspace } from './workspace.ts'
import { verifyRoutes } from '../verifier/verify.routes.ts'
import { phishingReportRoutes } from '../phishing-reports/phishing-report.routes.ts'

export interface AppDeps {
  config: Config
  store: Store
  spool: RawMessageSpool
  log: Logger
  /** Called when something was queued for the pipeline, so a local worker can start at once. */
  onSpooled?: () => void
  /** Outbound mail for agent replies (the runtime's); a bare app opens one from the config when needed. */
  transport?: MailTransport
  /** DNS for authenticating messages (the verifier's uploads); the system resolver when unset. */
  dnsResolver?: DnsResolver
  /** Public pages' clock and limits; tests override them. */
  publicOptions?: PublicRouteOptions
  /** Prometheus metrics of this process (the runtime's, fed by its worker); a fresh set when unset. */
  metrics?: Metrics
}

/** Builds the HTTP application; it never listens (the caller does), so tests use app.inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Widened to Fastify's logger interface so the instance keeps Fastify's default types.
  const logger: FastifyBaseLogger = deps.log.child({ component: 'http' })
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: 1024 * 1024, // 1 MiB for JSON; message uploads raise it per route
    // Behind a load balancer its X-Forwarded-For names the client (per-address limits, logs); never trusted otherwise.
    trustProxy: deps.config.trustProxy.length > 0 ? deps.config.trustProxy.join(',') : false,
    // A request must arrive whole within 5 minutes (Node's own default, which Fastify turns off): a client trickling
    // an upload or its headers cannot hold a connection for ever. Long-lived answers (SSE, WebSockets) are not affected.
    requestTimeout: 5 * 60_000,
    ajv: {
      customOptions: {
        // Fastify's default strips fields a schema does not list, so {"statuss":"solved"} answered 200 and changed
        // nothing; additionalProperties: false now refuses them.
        removeAdditional: false,
      },
    },
  })
  registerErrorHandler(app)
  // No route takes plain text: without this parser a text/plain body reached JSON routes as a string, past their
  // schemas (POST /api/v1/verify with text answered 500). Now it is a 415 that names the Content-Type.
  app.removeContentTypeParser('text/plain')
  registerPlainQueryNumbers(app)
  // Before any public route reads a body: strangers' uploads share one memory budget (upload-budget.ts).
  const publicOptions = resolvePublicOptions(deps.publicOptions ?? {}, deps.config.maxAttachmentBytes)
  const uploads = new UploadBudget(publicOptions.uploadBudgetBytes)
  app.addHook('onRequest', uploads.onRequest)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `Maildesk API (${deps.config.brand.name})`,
        version: '1',
        description: 'The support mailbox: tickets from email and other channels.',
      },
    },
  })

  // The /api/v1 auth guard first, so it covers every route registered after it.
  await registerWorkspace(app, deps, deps.transport ? { transport: deps.transport } : {})

  app.get(
    '/api/v1/health',
    { schema: { summary: 'Liveness and queue state', tags: ['system'] } },
    async () => {
      const queue = await countRawMessagesByStatus(deps.store.db)
      return { status: 'ok', database: deps.store.dialect, queue }
    },
  )
  await app.register(ticketRoutes(deps))
  await app.register(rawMessageRoutes(deps))
  await app.register(imapMailboxRoutes(deps))
  await app.register(outboundRoutes(deps))
  await app.register(publicRoutes(deps, publicOptions))
  await app.register(verifyRoutes(deps, { resolver: deps.dnsResolver }))
  await app.register(phishingReportRoutes(deps))
  await app.register(metricsRoutes({ store: deps.store, metrics: deps.metrics ?? createMetrics(), token: deps.config.metricsToken }))

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  return app
}
