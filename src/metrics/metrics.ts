import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { LEASE_LOST, type BatchResult, type WorkerObserver } from '../jobs/message-worker.ts'
import type { Db } from '../store/database.ts'

/** Pipeline stages the worker times (see MessageWorker's observer). */
export type WorkerStage = 'claim' | 'analyze' | 'store' | 'acknowledge'

/**
 * This process's metrics. Counters and the stage histogram count what this process did since it started;
 * the gauges are read from the database on each scrape, so any HTTP node reports the same cluster-wide
 * queue, message, outbound and SLA figures.
 */
export interface Metrics {
  registry: Registry
  /** The hook MessageWorker calls: stage timings and per-message results. */
  workerObserver: WorkerObserver
  /** Refreshes the database gauges and renders the Prometheus text exposition. */
  render(db: Db, now: Date): Promise<string>
  contentType: string
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  const processed = new Counter({
    name: 'maildesk_worker_messages_total',
    help: 'Messages this process took through the pipeline, by outcome (created, joined, duplicate, failed, lease_lost: left to the worker that took it over).',
    labelNames: ['outcome'],
    registers: [registry],
  })
  const stageSeconds = new Histogram({
    name: 'maildesk_worker_stage_seconds',
    help: 'Pipeline stage latency in this process: claim (per batch), analyze (per message), store (per batch), acknowledge (per ticket).',
    labelNames: ['stage'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  const rawMessages = new Gauge({
    name: 'maildesk_raw_messages',
    help: 'Accepted (durably spooled) messages in the database, by status: pending, processing, processed, duplicate, failed.',
    labelNames: ['status'],
    registers: [registry],
  })
  const queueDepth = new Gauge({ name: 'maildesk_queue_depth', help: 'Messages waiting for or in the pipeline (pending + processing).', registers: [registry] })
  const queueAge = new Gauge({
    name: 'maildesk_queue_oldest_age_seconds',
    help: 'Age of the oldest message waiting for or in the pipeline; 0 when the queue is empty.',
    registers: [registry],
  })
  const outbound = new Gauge({
    name: 'maildesk_outbound_messages',
    help: 'Outbound mail in the database, by kind and status (queued, sending, sent, failed, bounced).',
    labelNames: ['kind', 'status'],
    registers: [registry],
  })
  const slaFlags = new Gauge({
    name: 'maildesk_sla_flags',
    help: 'SLA flags raised on tickets so far, by target and state (first_response/resolution near/breached) and escalations.',
    labelNames: ['target', 'state'],
    registers: [registry],
  })
  for (const status of ['pending', 'processing', 'processed', 'duplicate', 'failed']) rawMessages.set({ status }, 0)

  const workerObserver: WorkerObserver = {
    stage: (stage, seconds) => stageSeconds.observe({ stage }, seconds),
    result: (r: BatchResult) => processed.inc({ outcome: r.ok ? r.outcome.status : r.code === LEASE_LOST ? 'lease_lost' : 'failed' }),
  }

  let rendering: Promise<string> | undefined

  async function refresh(db: Db, now: Date): Promise<void> {
    const byStatus = await db.selectFrom('raw_messages').select(['status', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('status').execute()
    for (const row of byStatus) rawMessages.set({ status: row.status }, Number(row.n))
    const queued = await db
      .selectFrom('raw_messages')
      .select([(eb) => eb.fn.countAll<number | string>().as('n'), (eb) => eb.fn.min('received_at').as('oldest')])
      .where('status', 'in', ['pending', 'processing'])
      .executeTakeFirst()
    queueDepth.set(Number(queued?.n ?? 0))
    queueAge.set(queued?.oldest ? Math.max(0, (now.getTime() - Date.parse(queued.oldest)) / 1000) : 0)
    const out = await db
      .selectFrom('outbound_messages')
      .select(['kind', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy(['kind', 'status'])
      .execute()
    outbound.reset()
    for (const row of out) outbound.set({ kind: row.kind, status: row.status }, Number(row.n))
    const flags = await db.selectFrom('ticket_sla_flags').select(['flag', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('flag').execute()
    slaFlags.reset()
    for (const state of ['near', 'breached']) for (const target of ['first_response', 'resolution']) slaFlags.set({ target, state }, 0)
    let escalated = 0
    for (const row of flags) {
      const [target, state] = row.flag.split(':')
      if (target === 'escalated') escalated += Number(row.n)
      else if (target && state) slaFlags.set({ target, state }, Number(row.n))
    }
    slaFlags.set({ target: 'silence', state: 'escalated' }, escalated)
  }

  return {
    registry,
    workerObserver,
    contentType: registry.contentType,
    render(db, now) {
      // /metrics needs no login and each refresh scans raw_messages, outbound_messages and the SLA flags (5 ms at
      // 100k raw messages on SQLite, on the event loop): scrapes arriving while one is being rendered get that one.
      rendering ??= refresh(db, now)
        .then(() => registry.metrics())
        .finally(() => {
          rendering = undefined
        })
      return rendering
    },
  }
}
