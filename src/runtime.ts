import { availableParallelism } from 'node:os'
import path from 'node:path'
import { readFile } from 'node:fs/promises'
import { purgeExpiredLoginAttempts } from './agents/login-rate-limit.ts'
import { createClamdScanner } from './attachments/clamd-scanner.ts'
import { retryPendingScans } from './attachments/retry-attachment-scans.ts'
import type { Config } from './config.ts'
import { purgeRawBytes, purgeRawMessageFiles } from './intake/raw-message.repository.ts'
import { rawMessageDir, removeRawMessageFile } from './intake/raw-message-file.ts'
import { deriveRawMessageKey } from './intake/raw-message-crypto.ts'
import { RawMessageSpool } from './intake/raw-message-spool.ts'
import { MessageWorker, type MessageWorkerOptions } from './jobs/message-worker.ts'
import { Scheduler, type ScheduledJob, type SchedulerOptions } from './jobs/scheduler.ts'
import { slaCheckJob } from './jobs/sla-check.job.ts'
import { createMetrics, type Metrics } from './metrics/metrics.ts'
import type { Logger } from './logger.ts'
import { acknowledgePendingTickets, acknowledgeTickets, remindOfExistingTicket } from './notify/acknowledge-ticket.ts'
import { composeOutboundMessage } from './notify/compose-outbound-message.ts'
import { recordPhishingReport } from './phishing-reports/phishing-report.service.ts'
import { createMailTransport, type MailTransport } from './notify/mail-transport.ts'
import { retryFailedOutbound, type OutboundDeps } from './notify/outbound.service.ts'
import { AnalysisPool, analyzeStoredMessage } from './pipeline/analysis-pool.ts'
import { createSystemResolver, describeResolver, type DnsResolver } from './pipeline/authenticate-sender.ts'
import { createPipelineContext, type PipelineContext } from './pipeline/process-message.ts'
import { openDatabase, sqlitePathIn, type Store } from './store/database.ts'
import { AttachmentStore } from './tickets/attachment-store.ts'

/** What every command that touches stored mail shares: the database, the spool and the pipeline worker. */
export interface Runtime {
  config: Config
  log: Logger
  store: Store
  spool: RawMessageSpool
  worker: MessageWorker
  pipeline: PipelineContext
  /** Outbound mail: the SMTP relay or the local outbox, DKIM-signed (the key is created on first start). */
  transport: MailTransport
  outbound: OutboundDeps
  /** Scheduled work (acknowledgement sweep, outbound retries, raw purge, SLA checks); `serve` starts it on worker roles. */
  scheduler: Scheduler
  /** This process's Prometheus metrics, fed by the worker. */
  metrics: Metrics
  close(): Promise<void>
}

export interface RuntimeOptions {
  worker?: MessageWorkerOptions
  /** DNS for SPF/DKIM/DMARC; the system resolver unless given (tests pass an offline zone). */
  resolver?: DnsResolver
  scheduler?: SchedulerOptions
}

/** Opens the database named by the config (migrating it) and wires everything to it. */
export async function openRuntime(config: Config, log: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const store = await openDatabase({ databaseUrl: config.databaseUrl, sqlitePath: sqlitePathIn(config.dataDir) })
  return createRuntime(config, log, store, options)
}

/** Wires the spool, the pipeline, outbound mail and the worker to an open store; close() also closes the store. */
export function createRuntime(config: Config, log: Logger, store: Store, options: RuntimeOptions = {}): Runtime {
  const rawMessageKey = deriveRawMessageKey(config.secretKey)
  const attachmentsDir = path.join(config.dataDir, 'attachments')
  const resolver = options.resolver ?? createSystemResolver()
  const pipeline = createPipelineContext({
    limits: { maxAttachments: config.maxAttachments, maxAttachmentBytes: config.maxAttachmentBytes },
    attachments: new AttachmentStore(attachmentsDir),
    brand: config.brand,
    secretKey: config.secretKey,
    rawMessageKey,
    rawFileDir: rawMessageDir(config.dataDir),
    resolver,
    scanner: config.clamdAddress ? createClamdScanner(config.clamdAddress) : undefined,
  })
  // Worker threads for parse → classify (one fewer than the cores, at least one), when they can rebuild the DNS
  // resolver; a resolver they cannot rebuild (a test's own fake) keeps the analysis in the main thread.
  const dns = describeResolver(resolver)
  const analysisPool = dns
    ? new AnalysisPool(
        { limits: pipeline.limits, attachmentsDir, brand: config.brand, mtaName: pipeline.mtaName, dns, clamdAddress: config.clamdAddress, rawMessageKey },
        (request) => analyzeStoredMessage(pipeline, rawMessageKey, request),
        { threads: Math.max(1, availableParallelism() - 1), log: log.child({ component: 'pipeline' }) },
      )
    : undefined
  const transport = createMailTransport(config, log)
  const now = options.worker?.now ?? (() => new Date())
  const outbound: OutboundDeps = {
    db: store.db,
    config,
    transport,
    log: log.child({ component: 'outbound' }),
    now,
    compose: (input) => analysisPool?.tryCompose(input) ?? composeOutboundMessage(input),
  }
  const spool = new RawMessageSpool(store.db, rawMessageKey)
  const metrics = createMetrics()
  const worker = new MessageWorker(store, pipeline, log.child({ component: 'pipeline' }), {
    leaseMs: config.workerLeaseMs,
    acknowledge: (ticketIds) => acknowledgeTickets(outbound, ticketIds),
    remind: (ticketId) => remindOfExistingTicket(outbound, ticketId),
    reportPhishing: async (evidence, rawMessageId) => {
      await recordPhishingReport(store.db, config.brand, { raw: evidence.raw, senderIsReporter: evidence.fromReporter, source: 'security_mailbox', now: now(), rawMessageId })
    },
    observer: metrics.workerObserver,
    analysisPool,
    ...options.worker,
  })
  spool.onSpooled(() => worker.notify())
  // Scheduled work: one process at a time across the cluster (see jobs/scheduler.ts), the same code on SQLite.
  const jobs: ScheduledJob[] = [
    { name: 'acknowledge-pending', intervalMs: 30_000, run: async () => ({ acknowledged: await acknowledgePendingTickets(outbound) }) },
    { name: 'retry-outbound', intervalMs: 60_000, run: async () => retryFailedOutbound(outbound) },
    {
      name: 'purge-raw-messages',
      intervalMs: 60 * 60_000, // hourly
      run: async (at) => {
        const retentionMs = config.rawRetentionDays * 24 * 60 * 60 * 1000
        const before = new Date(at.getTime() - retentionMs)
        let purged = await purgeRawBytes(store.db, before)
        // Files after the commit that forgets them: a crash in between leaves a file nobody names, never the reverse.
        const files = await purgeRawMessageFiles(store.db, before)
        for (const name of files) await removeRawMessageFile(rawMessageDir(config.dataDir), name)
        purged += files.length
        if (purged > 0) log.info({ purged }, 'raw messages purged by retention policy')
        return { purged }
      },
    },
    { name: 'purge-login-attempts', intervalMs: 60 * 60_000, run: async (at) => ({ purged: await purgeExpiredLoginAttempts(store.db, at) }) },
    slaCheckJob({ db: store.db, calendar: pipeline.calendar, policy: pipeline.slaPolicy, log: log.child({ component: 'sla' }) }),
  ]
  const scanner = pipeline.scanner
  if (scanner) {
    // Attachments whose virus scan failed (clamd down) stay held as scan_pending until a retry scans them.
    jobs.push({
      name: 'retry-attachment-scans',
      intervalMs: 60_000,
      run: async (at) => ({ ...(await retryPendingScans({ db: store.db, scanner, readBytes: (sha256) => readFileOrUndefined(pipeline.attachments.pathOf(sha256)), log, now: at })) }),
    })
  }
  const scheduler = new Scheduler(store, jobs, log.child({ component: 'scheduler' }), { now, ...options.scheduler })
  return {
    config,
    log,
    store,
    spool,
    worker,
    pipeline,
    transport,
    outbound,
    scheduler,
    metrics,
    async close() {
      await scheduler.stop()
      await worker.stop()
      await analysisPool?.close()
      await spool.drain()
      transport.close()
      await store.destroy()
    },
  }
}

async function readFileOrUndefined(file: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}
