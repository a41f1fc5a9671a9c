import { createServer, type ServerResponse } from 'node:http'
import { ImapIntake } from '../intake/imap-intake.ts'
import { rawMessageDir } from '../intake/raw-message-file.ts'
import { SmtpIntake } from '../intake/smtp-intake.ts'
import { officialAddresses } from '../brand.ts'
import type { Config } from '../config.ts'
import { InvalidInputError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { METRICS_UNAUTHENTICATED, metricsScrapeAllowed } from '../metrics/metrics.routes.ts'
import { announceFirstAdmin } from '../agents/first-admin.ts'
import { openRuntime } from '../runtime.ts'
import { buildApp } from '../web/app.ts'
import { INTERNAL_ERROR } from '../web/error-handler.ts'

/** What one `serve` process runs; several processes with different roles share one PostgreSQL (docs/deploy.md). */
export const SERVE_ROLES = ['all', 'http', 'smtp', 'worker'] as const
export type ServeRole = (typeof SERVE_ROLES)[number]

/**
 * The role named by `--role` (default all).
 * @throws InvalidInputError for anything else.
 */
export function parseServeRole(value: string | undefined): ServeRole {
  if (value === undefined) return 'all'
  const role = SERVE_ROLES.find((r) => r === value)
  if (!role) throw new InvalidInputError(`--role must be one of ${SERVE_ROLES.join(', ')} (got "${value.slice(0, 20)}")`, 'role')
  return role
}

/**
 * The port named by `--metrics-port`, if any.
 * @throws InvalidInputError when it is not a port number.
 */
export function parseMetricsPort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN
  if (!(port >= 0 && port <= 65535)) throw new InvalidInputError(`--metrics-port must be a port number 0-65535 (got "${value.slice(0, 20)}")`, 'metrics-port')
  return port
}

/** A bare HTTP listener for GET /metrics, for smtp and worker nodes, which have no web app. */
async function listenForMetrics(host: string, port: number, token: string | undefined, render: () => Promise<{ body: string; contentType: string }>, log: Logger): Promise<{ address: string; close(): Promise<void> }> {
  // Errors as the web app words them: JSON that says what was wrong.
  const json = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) =>
    res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body))
  const server = createServer((req, res) => {
    // The path without its query, as the web app routes it (a scraper may add parameters).
    const pathname = (req.url ?? '').split('?')[0] ?? ''
    if (req.method !== 'GET' || pathname !== '/metrics') {
      json(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${(req.method ?? '').slice(0, 10)} ${pathname.slice(0, 200)}: this port serves GET /metrics only` } })
      return
    }
    if (!metricsScrapeAllowed(req.headers.authorization, token)) {
      json(res, METRICS_UNAUTHENTICATED.status, METRICS_UNAUTHENTICATED.body, METRICS_UNAUTHENTICATED.headers)
      return
    }
    render().then(
      ({ body, contentType }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err: unknown) => {
        log.error({ err }, 'metrics failed')
        json(res, 500, INTERNAL_ERROR)
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port }, resolve)
  })
  const address = server.address()
  return {
    address: typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/**
 * `maildesk serve`: until SIGTERM or SIGINT, runs what the role asks for. http: the web app and API; smtp: SMTP
 * intake, which only spools; worker: the pipeline worker, IMAP polling and scheduled work; all: everything.
 */
export async function serve(config: Config, log: Logger, role: ServeRole = 'all', options: { metricsPort?: number | undefined } = {}): Promise<void> {
  // Listening from the first moment: a SIGTERM while the database opens and migrates lets the start finish, then
  // shuts down the usual way (never a kill in the middle of a migration or of writing the first admin's password).
  const stop = listenForStopSignal()
  try {
    await serveUntil(stop.signal, config, log, role, options)
  } finally {
    stop.dispose()
  }
}

/** Starts what the role asks for, runs until `stopSignal` settles, then stops it all in order. */
async function serveUntil(stopSignal: Promise<NodeJS.Signals>, config: Config, log: Logger, role: ServeRole, options: { metricsPort?: number | undefined }): Promise<void> {
  const runtime = await openRuntime(config, log)
  const runs = { http: role === 'all' || role === 'http', smtp: role === 'all' || role === 'smtp', worker: role === 'all' || role === 'worker' }
  const app = runs.http
    ? await buildApp({ config, store: runtime.store, spool: runtime.spool, log, onSpooled: () => runtime.worker.notify(), transport: runtime.transport, metrics: runtime.metrics })
    : undefined
  const smtp = runs.smtp
    ? new SmtpIntake(
        {
          host: config.host,
          port: config.smtpPort,
          acceptedRecipients: officialAddresses(config.brand),
          maxMessageBytes: config.maxMessageBytes,
          maxClients: config.smtpMaxClients,
          serverName: config.brand.officialDomains[0] ?? 'localhost',
          tls: config.smtpTls,
          rawFiles: { dir: rawMessageDir(config.dataDir), rawMessageKey: runtime.pipeline.rawMessageKey },
        },
        runtime.spool,
        log.child({ component: 'smtp' }),
      )
    : undefined
  const imap = runs.worker
    ? new ImapIntake(config.imap.mailboxes, { db: runtime.store.db, spool: runtime.spool, log }, {
        maxMessageBytes: config.maxMessageBytes,
        alertAfterMs: config.imap.alertAfterMs,
        pollIntervalMs: config.imap.pollIntervalMs,
        leaseMs: config.imap.leaseMs,
      })
    : undefined
  // Ports first: a port that is taken stops the start cleanly (everything closed, a clear message, exit 1)
  // before any work begins or the first admin's one-time password is printed.
  let httpAddress: string | undefined
  let smtpAddress: Awaited<ReturnType<SmtpIntake['listen']>> | undefined
  let metrics: Awaited<ReturnType<typeof listenForMetrics>> | undefined
  try {
    httpAddress = app ? await app.listen({ host: config.host, port: config.httpPort }) : undefined
    smtpAddress = smtp ? await smtp.listen() : undefined
    // HTTP nodes serve /metrics in the web app; the others only when asked, on a port of their own.
    metrics =
      !app && options.metricsPort !== undefined
        ? await listenForMetrics(config.host, options.metricsPort, config.metricsToken, async () => ({ body: await runtime.metrics.render(runtime.store.db, new Date()), contentType: runtime.metrics.contentType }), log)
        : undefined
  } catch (err) {
    await Promise.allSettled([app?.close(), smtpAddress ? smtp?.close() : undefined])
    await runtime.close()
    throw err
  }
  if (app) await announceFirstAdmin(runtime.store.db, config, log)
  if (runs.worker) {
    runtime.worker.start()
    runtime.scheduler.start()
    imap?.start()
  }
  const smtpText = smtpAddress ? `${smtpAddress.address}:${smtpAddress.port}` : undefined
  log.info({ role, http: httpAddress, smtp: smtpText, database: runtime.store.dialect, dataDir: config.dataDir }, 'maildesk started')
  // Machine-readable for scripts and tests that start us on port 0.
  const parts = [httpAddress ? `http=${httpAddress}` : '', smtpText ? `smtp=${smtpText}` : '', metrics ? `metrics=${metrics.address}` : '', `role=${role}`].filter(Boolean)
  process.stdout.write(`maildesk listening ${parts.join(' ')}\n`)

  log.info({ signal: await stopSignal }, 'shutting down: no new connections, finishing in-flight work')
  await Promise.all([smtp?.close(), app?.close(), imap?.stop(), metrics?.close()])
  await runtime.close()
  log.info('maildesk stopped')
}

/** The first SIGTERM or SIGINT from now on, however long before it is awaited; dispose() stops listening. */
function listenForStopSignal(): { signal: Promise<NodeJS.Signals>; dispose(): void } {
  let dispose = () => {}
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    const onSigterm = () => resolve('SIGTERM')
    const onSigint = () => resolve('SIGINT')
    process.once('SIGTERM', onSigterm)
    process.once('SIGINT', onSigint)
    dispose = () => {
      process.off('SIGTERM', onSigterm)
      process.off('SIGINT', onSigint)
    }
  })
  return { signal, dispose }
}
