import type { Logger } from '../logger.ts'
import { rawMessageFilePath } from '../intake/raw-message-file.ts'
import { openSpooledMessage } from '../pipeline/mime/spooled-message.ts'
import {
  claimRawMessages,
  holdRawMessageClaims,
  renewRawMessageClaims,
  loadRawBytes,
  markRawMessageDone,
  markRawMessageFailed,
  type RawMessageSummary,
} from '../intake/raw-message.repository.ts'
import { analyzeStoredMessage, describeAnalysisFailure, type AnalysisPool, type AnalysisRequest } from '../pipeline/analysis-pool.ts'
import { analyzeMessage, storeAnalyzedMessage, type AnalyzedMessage, type PhishingEvidence, type PipelineContext, type ProcessOutcome } from '../pipeline/process-message.ts'
import { isUniqueViolation } from '../store/constraint-error.ts'
import { relaxedTransaction } from '../store/relaxed-transaction.ts'
import { indexNewMessagesAtEnd } from '../store/search-index-deferral.ts'
import type { Db, Store } from '../store/database.ts'

export interface MessageWorkerOptions {
  /** Messages claimed per batch; their results are committed in one transaction. */
  batchSize?: number
  /** Stop adding to a batch once the raw sizes add up to this. */
  maxBatchBytes?: number
  /** A claim older than this is assumed to belong to a dead worker and is taken over. */
  leaseMs?: number
  /** After this many attempts a message is marked failed instead of being tried again. */
  maxAttempts?: number
  /** How often to look for work spooled by other processes. */
  pollIntervalMs?: number
  now?: () => Date
  /** Reminds a customer who re-sent a message of their existing ticket number (once per ticket); in order with acknowledge(). */
  remind?: (ticketId: number) => Promise<void>
  /** Records a phishing report from mail to security@; called after the commit, like acknowledgements. */
  reportPhishing?: (evidence: PhishingEvidence, rawMessageId: number) => Promise<void>
  /**
   * Sends new tickets their acknowledgements, a stored batch's tickets together (with any still queued from earlier
   * batches); called after the batch that created them has committed, one call at a time.
   */
  acknowledge?: (ticketIds: number[]) => Promise<void>
  /** Timing and outcome hook (metrics); called synchronously, must not throw. */
  observer?: WorkerObserver
  /**
   * Worker threads for the database-free stages. With a pool, the next batch is claimed and analysed while this
   * one is stored, and the main thread helps analyse whenever it is not storing.
   */
  analysisPool?: AnalysisPool | undefined
}

/** What the worker reports as it goes: seconds spent per stage and each message's result. */
export interface WorkerObserver {
  stage(stage: 'claim' | 'analyze' | 'store' | 'acknowledge', seconds: number): void
  result(result: BatchResult): void
}

const NO_OBSERVER: WorkerObserver = { stage: () => {}, result: () => {} }

function secondsSince(startedNs: bigint): number {
  return Number(process.hrtime.bigint() - startedNs) / 1e9
}

export type BatchResult = { rawMessageId: number } & ({ ok: true; outcome: ProcessOutcome } | { ok: false; code: string; message: string })

interface Prepared {
  raw: RawMessageSummary
  analyzed?: AnalyzedMessage
  failure?: { code: string; message: string }
}

/** After-commit tasks (acknowledgements and the like) in flight at once. */
const AFTER_COMMIT_CONCURRENCY = 4

/** Tickets handed to one acknowledge() call at most (a backlog of several batches is taken in steps of this). */
const MAX_ACKNOWLEDGED_AT_ONCE = 200

/** Messages larger than this are analysed on the main thread: copying them to a thread costs memory (issue 2, 25 MB). */
const MAX_POOLED_MESSAGE_BYTES = 4 * 1024 * 1024 // 4 MiB

/** A claimed batch: its analysis is under way (in threads and/or here) and its lease is renewed until it is stored. */
interface ClaimedBatch {
  claimed: RawMessageSummary[]
  prepared: Prepared[]
  /** Index of the next message nobody has started analysing. */
  next: number
  /** Analyses started and not yet finished. */
  running: Set<Promise<void>>
  /**
   * With a pool, the raw bytes are read when the batch is claimed: once the previous batch's transaction holds
   * SQLite's one connection, a read would wait for its commit and the threads would idle. Each entry is released
   * when its analysis starts.
   */
  stored: Array<StoredRaw | undefined>
  stopHeartbeat(): void
}

type StoredRaw = Awaited<ReturnType<typeof loadRawBytes>>

/** Automatic mail a stored batch made due: a new ticket's acknowledgement, or a reminder of an existing ticket. */
interface AutomaticMail {
  kind: 'acknowledge' | 'remind'
  ticketId: number
}

/**
 * Takes spooled messages through the pipeline. Parsing happens outside any transaction; the results of a
 * batch are then stored in one transaction, each message inside its own savepoint so one bad message
 * cannot undo the others.
 */
export class MessageWorker {
  private running = false
  private wake: (() => void) | undefined
  private loop: Promise<void> | undefined
  private readonly opts: Required<Omit<MessageWorkerOptions, 'analysisPool'>>
  private readonly pool: AnalysisPool | undefined

  constructor(
    private readonly store: Store,
    private readonly ctx: PipelineContext,
    private readonly log: Logger,
    options: MessageWorkerOptions = {},
  ) {
    this.opts = {
      batchSize: options.batchSize ?? 100,
      maxBatchBytes: options.maxBatchBytes ?? 32 * 1024 * 1024, // 32 MiB of raw mail in memory at most
      leaseMs: options.leaseMs ?? 5 * 60_000,
      maxAttempts: options.maxAttempts ?? 5,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      now: options.now ?? (() => new Date()),
      acknowledge: options.acknowledge ?? (async () => {}),
      reportPhishing: options.reportPhishing ?? (async () => {}),
      remind: options.remind ?? (async () => {}),
      observer: options.observer ?? NO_OBSERVER,
    }
    this.pool = options.analysisPool
  }

  /** The batch claimed ahead (pool only): analysed in threads while the previous one was stored. */
  private ahead: ClaimedBatch | undefined
  /** Set while stopping: the batch claimed ahead is finished, and no new one is claimed ahead. */
  private draining = false

  /** Processes one batch; returns what happened to each message (empty when there was no work). */
  async runOnce(): Promise<BatchResult[]> {
    const batch = this.ahead ?? (await this.claimBatch())
    this.ahead = undefined
    if (!batch) return []
    const { observer } = this.opts
    let results: BatchResult[]
    try {
      const prepared = await this.finishAnalysis(batch)
      // Pipelining: claim the next batch before storing this one, so the threads analyse it meanwhile.
      if (this.pool && !this.draining) this.ahead = await this.claimBatch()
      const started = process.hrtime.bigint()
      results = await this.storeBatch(prepared)
      observer.stage('store', secondsSince(started))
    } finally {
      batch.stopHeartbeat()
    }
    const mailDue: AutomaticMail[] = []
    for (const r of results) {
      observer.result(r)
      if (!r.ok) continue
      const { ticketId, acknowledgementDue, reminderDue, phishingEvidence } = r.outcome
      if (acknowledgementDue) mailDue.push({ kind: 'acknowledge', ticketId })
      if (reminderDue) mailDue.push({ kind: 'remind', ticketId })
      if (phishingEvidence) this.afterCommit('phishing_report', { rawMessageId: r.rawMessageId }, () => this.opts.reportPhishing(phishingEvidence, r.rawMessageId))
    }
    this.queueAutomaticMail(mailDue)
    return results
  }

  /** Claims a batch and starts its analysis in the pool's threads (when there is a pool); undefined when idle. */
  private async claimBatch(): Promise<ClaimedBatch | undefined> {
    const { db } = this.store
    const started = process.hrtime.bigint()
    const claimed = await claimRawMessages(this.store, {
      now: this.opts.now(),
      leaseMs: this.opts.leaseMs,
      maxCount: this.opts.batchSize,
      maxTotalBytes: this.opts.maxBatchBytes,
    })
    if (claimed.length === 0) return undefined
    this.opts.observer.stage('claim', secondsSince(started))
    // Heartbeat: a live worker renews its lease every third of it, so a slow batch is never taken over (another
    // worker would redo it, and two slow workers could hand a batch back and forth until its attempts ran out).
    let renewing = false
    const heartbeat = setInterval(() => {
      if (renewing) return
      renewing = true
      renewRawMessageClaims(db, claimed, new Date(this.opts.now().getTime() + this.opts.leaseMs))
        .catch((err: unknown) => this.log.warn({ err }, 'lease renewal failed'))
        .finally(() => {
          renewing = false
        })
    }, Math.max(100, Math.floor(this.opts.leaseMs / 3)))
    heartbeat.unref()
    const batch: ClaimedBatch = {
      claimed,
      prepared: new Array<Prepared>(claimed.length),
      next: 0,
      running: new Set(),
      stored: [],
      stopHeartbeat: () => clearInterval(heartbeat),
    }
    if (this.pool && claimed.length > 1) {
      try {
        for (const raw of claimed) batch.stored.push(await loadRawBytes(db, raw.id))
      } catch (err) {
        batch.stopHeartbeat()
        throw err
      }
      this.pool.start()
      this.feedPool(batch)
    }
    return batch
  }

  /** Hands the pool's threads as many of the batch's messages as they have room for; refilled as each finishes. */
  private feedPool(batch: ClaimedBatch): void {
    const pool = this.pool
    if (!pool) return
    while (batch.next < batch.claimed.length && pool.freeSlots > 0) {
      const i = batch.next++
      const task = this.prepare(batch, i, true).then((p) => {
        batch.prepared[i] = p
        batch.running.delete(task)
        this.feedPool(batch)
      })
      batch.running.add(task)
    }
  }

  /**
   * Analyses whatever of the batch no thread has taken, here (a few at a time, so one message's attachment fsyncs
   * overlap another's parsing), then waits for the threads' share.
   */
  private async finishAnalysis(batch: ClaimedBatch): Promise<Prepared[]> {
    const lane = async () => {
      for (let i = batch.next++; i < batch.claimed.length; i = batch.next++) {
        batch.prepared[i] = await this.prepare(batch, i, false)
        // Let the threads' replies in (they refill the threads) between messages analysed here.
        if (this.pool?.ready) await new Promise<void>((resolve) => setImmediate(resolve))
      }
    }
    // One lane beside ready threads (the main thread also stores); four while there are none yet, so DNS waits overlap.
    await Promise.all(this.pool?.ready ? [lane()] : [lane(), lane(), lane(), lane()])
    while (batch.running.size > 0) await Promise.all([...batch.running])
    return batch.prepared
  }

  private readonly afterCommitQueue: Array<() => Promise<void>> = []
  private afterCommitRunning = 0
  private afterCommitIdle: Array<() => void> = []

  /**
   * Work that follows a commit (acknowledgements, re-send reminders, phishing reports) runs in the background, a
   * few tasks at a time, so composing, signing and writing mail does not hold up the next batch, and mail is never
   * sent for a ticket that was rolled back. Several at once because a task mostly waits (commits, the outbox fsync,
   * a relay); acknowledgements and reminders are one task, in order (queueAutomaticMail). A crash before an
   * acknowledgement is stored leaves the ticket's ack_status 'pending', and the scheduler's acknowledgement sweep
   * sends it later; one stored but not sent is a queued row that retryFailedOutbound sends.
   */
  private afterCommit(what: 'acknowledge' | 'phishing_report', ids: Record<string, number>, task: () => Promise<void>): void {
    this.afterCommitQueue.push(async () => {
      await task().catch((err: unknown) => this.log.error({ err, ...ids }, `${what} failed`))
    })
    this.runAfterCommitWork()
  }

  /** Acknowledgements and re-send reminders due, in the order of the results that made them due. */
  private mailDue: AutomaticMail[] = []
  private sendingMail = false

  /**
   * Acknowledgements and reminders go out in one background task, in the order they became due: consecutive
   * acknowledgements (a stored batch's, and any backlog of earlier batches) in one acknowledge() call, which stores
   * their mail in one commit and records the outcomes in one more (acknowledge-ticket.ts). One call at a time, in
   * order, because both kinds count against a recipient's automatic-mail limit: each call sees the mail sent before
   * it, so the limit is applied as if the tickets were acknowledged one by one (it was a race between the four
   * after-commit tasks before).
   */
  private queueAutomaticMail(mail: AutomaticMail[]): void {
    if (mail.length === 0) return
    this.mailDue.push(...mail)
    if (this.sendingMail) return
    this.sendingMail = true
    this.afterCommit('acknowledge', {}, async () => {
      try {
        for (let head = this.mailDue[0]; head; head = this.mailDue[0]) {
          if (head.kind === 'remind') {
            this.mailDue.shift()
            await this.opts.remind(head.ticketId).catch((err: unknown) => this.log.error({ err, ticketId: head.ticketId }, 'remind failed'))
            continue
          }
          let count = 0
          while (count < this.mailDue.length && count < MAX_ACKNOWLEDGED_AT_ONCE && this.mailDue[count]?.kind === 'acknowledge') count++
          const ids = this.mailDue.splice(0, count).map((m) => m.ticketId)
          const started = process.hrtime.bigint()
          await this.opts.acknowledge(ids).catch((err: unknown) => this.log.error({ err, firstTicketId: ids[0], tickets: ids.length }, 'acknowledge failed'))
          // The stage is per ticket: each waited as long as its batch took.
          const seconds = secondsSince(started)
          for (let i = 0; i < ids.length; i++) this.opts.observer.stage('acknowledge', seconds)
        }
      } finally {
        this.sendingMail = false
      }
    })
  }

  private runAfterCommitWork(): void {
    while (this.afterCommitRunning < AFTER_COMMIT_CONCURRENCY) {
      const task = this.afterCommitQueue.shift()
      if (!task) break
      this.afterCommitRunning++
      void task().finally(() => {
        this.afterCommitRunning--
        this.runAfterCommitWork()
        if (this.afterCommitRunning === 0 && this.afterCommitQueue.length === 0) {
          for (const resolve of this.afterCommitIdle.splice(0)) resolve()
        }
      })
    }
  }

  /** Resolves when every acknowledgement queued so far has been sent (or has failed and been logged). */
  async drainAcknowledgements(): Promise<void> {
    if (this.afterCommitRunning === 0 && this.afterCommitQueue.length === 0) return
    await new Promise<void>((resolve) => this.afterCommitIdle.push(resolve))
  }

  /** Processes until no pending message is left. */
  async runUntilIdle(): Promise<BatchResult[]> {
    const all: BatchResult[] = []
    for (;;) {
      const batch = await this.runOnce()
      if (batch.length === 0) break
      all.push(...batch)
    }
    await this.drainAcknowledgements()
    return all
  }

  /**
   * Starts the analysis threads and resolves once they can take messages (at once without a pool). Otherwise they
   * start with the first batch of more than one message, and the main thread analyses alone until they have loaded.
   * `start()` does not call this: a thread costs ~40 MB of memory, which a quiet server (or one that only ever gets
   * single large messages, analysed here anyway) need not pay (issue 2's memory target: 25 MB message under 200 MB).
   */
  async startAnalysisThreads(): Promise<void> {
    await this.pool?.whenReady()
  }

  /** Runs in the background until stop(); `notify()` wakes it at once. */
  start(): void {
    if (this.running) return
    this.running = true
    this.loop = this.backgroundLoop()
  }

  notify(): void {
    this.wake?.()
  }

  /** Finishes the batch in flight (and the one claimed ahead of it), then returns. */
  async stop(): Promise<void> {
    this.running = false
    this.wake?.()
    await this.loop
    await this.finishAhead()
    await this.drainAcknowledgements()
  }

  /** Stores the batch claimed ahead, if any, without claiming another (its lease would otherwise run out first). */
  async finishAhead(): Promise<void> {
    if (!this.ahead) return
    this.draining = true
    try {
      await this.runOnce()
    } catch (err) {
      this.log.error({ err }, 'message batch failed; will retry')
    } finally {
      this.draining = false
    }
  }

  private async backgroundLoop(): Promise<void> {
    while (this.running) {
      let worked = false
      try {
        worked = (await this.runOnce()).length > 0
      } catch (err) {
        this.log.error({ err }, 'message batch failed; will retry')
      }
      if (!worked && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.opts.pollIntervalMs)
          this.wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        this.wake = undefined
      }
    }
  }

  /** Analyses one message: in a pool thread when `pooled` and it is small enough, else here. */
  private async prepare(batch: ClaimedBatch, i: number, pooled: boolean): Promise<Prepared> {
    const raw = batch.claimed[i] as RawMessageSummary
    const preloaded = batch.stored[i]
    batch.stored[i] = undefined
    if (raw.attempts > this.opts.maxAttempts) {
      return { raw, failure: { code: 'TOO_MANY_ATTEMPTS', message: `gave up after ${raw.attempts - 1} attempts` } }
    }
    try {
      const stored = preloaded ?? (await loadRawBytes(this.store.db, raw.id))
      if (stored?.raw_file) return { raw, analyzed: await this.analyzeSpooledFile(stored.raw_file, raw) }
      if (!stored?.raw) return { raw, failure: { code: 'RAW_PURGED', message: 'the raw message is no longer stored' } }
      const request: AnalysisRequest = {
        stored: stored.raw,
        encryption: stored.encryption,
        envelope: { mailFrom: raw.mail_from, remoteAddress: raw.remote_address, rcptTo: parseRecipients(raw.rcpt_to) },
      }
      const started = process.hrtime.bigint()
      const inPool = pooled && stored.raw.byteLength <= MAX_POOLED_MESSAGE_BYTES ? this.pool?.tryAnalyze(request) : undefined
      const analyzed = await (inPool ?? analyzeStoredMessage(this.ctx, this.ctx.rawMessageKey, request))
      this.opts.observer.stage('analyze', secondsSince(started))
      return { raw, analyzed }
    } catch (err) {
      return { raw, failure: describeAnalysisFailure(err) }
    }
  }

  /**
   * A message above 1 MiB spooled as an encrypted file: analysed here, from the file, never loaded whole (its large
   * parts are decoded straight into the attachment store, see pipeline/mime/spooled-message.ts).
   */
  private async analyzeSpooledFile(name: string, raw: RawMessageSummary): Promise<AnalyzedMessage> {
    if (!this.ctx.rawFileDir) throw new Error('the raw message file directory is not configured')
    const started = process.hrtime.bigint()
    const { attachments, limits, rawMessageKey } = this.ctx
    const spooled = await openSpooledMessage(rawMessageFilePath(this.ctx.rawFileDir, name), rawMessageKey, attachments, limits.maxAttachmentBytes)
    const analyzed = await analyzeMessage(this.ctx, spooled, { mailFrom: raw.mail_from, remoteAddress: raw.remote_address, rcptTo: parseRecipients(raw.rcpt_to) })
    this.opts.observer.stage('analyze', secondsSince(started))
    return analyzed
  }

  /**
   * Stores a batch in one transaction: one commit (one fsync) for the lot. Should any message fail, the batch is
   * rolled back and stored again one message per transaction, so the bad one is isolated and the rest still land.
   */
  private async storeBatch(prepared: Prepared[]): Promise<BatchResult[]> {
    const now = this.opts.now()
    let results: BatchResult[]
    try {
      // The batch's messages are indexed for search in one statement at its end, not one by one (SQLite).
      results = await relaxedTransaction(this.store, (trx) =>
        indexNewMessagesAtEnd(trx, this.store.dialect, async () => {
          const held = await holdRawMessageClaims(trx, prepared.map((item) => item.raw))
          const out: BatchResult[] = []
          for (const item of prepared) {
            out.push(await this.storeOne(trx, item, now, held.has(item.raw.id)))
            // SQLite answers without ever leaving the microtask queue: let the analysis threads' replies in (each
            // reply hands its thread the next message), or the threads would idle while a batch is stored.
            if (this.pool) await new Promise<void>((resolve) => setImmediate(resolve))
          }
          return out
        }),
      )
    } catch {
      results = []
      for (const item of prepared) results.push(await this.storeAlone(item, now))
    }
    for (const r of results) {
      if (!r.ok && r.code === LEASE_LOST) this.log.info({ rawMessageId: r.rawMessageId }, 'message left to the worker that took it over')
      else if (r.ok) this.log.info({ rawMessageId: r.rawMessageId, ticketId: r.outcome.ticketId, outcome: r.outcome.status }, 'message processed')
      else this.log.warn({ rawMessageId: r.rawMessageId, code: r.code }, 'message failed')
    }
    return results
  }

  /** One message in its own transaction; a failure is recorded on the raw message instead of thrown. */
  private async storeAlone(item: Prepared, now: Date): Promise<BatchResult> {
    // Two tries: a unique violation means another worker stored the same Message-ID a moment ago,
    // and the second try then finds it and records a duplicate.
    for (let attempt = 0; ; attempt++) {
      try {
        return await relaxedTransaction(this.store, async (trx) => this.storeOne(trx, item, now, (await holdRawMessageClaims(trx, [item.raw])).has(item.raw.id)))
      } catch (err) {
        if (attempt === 0 && isUniqueViolation(err)) continue
        const failure = describeAnalysisFailure(err)
        this.log.error({ err, rawMessageId: item.raw.id }, 'storing a message failed')
        await markRawMessageFailed(this.store.db, item.raw.id, { ...failure, now })
        return { rawMessageId: item.raw.id, ok: false, ...failure }
      }
    }
  }

  /**
   * Stores one message in the caller's transaction. `held`: the claim still holds (holdRawMessageClaims, earlier in
   * the same transaction). A worker slower than its lease may find its message taken over (and perhaps already
   * stored) by another: it then leaves the message alone instead of storing it a second time or overwriting the
   * other's result.
   */
  private async storeOne(db: Db, item: Prepared, now: Date, held: boolean): Promise<BatchResult> {
    const rawMessageId = item.raw.id
    if (!held) {
      return { rawMessageId, ok: false, code: LEASE_LOST, message: 'another worker took this message over after the lease ran out' }
    }
    if (item.failure || !item.analyzed) {
      const failure = item.failure ?? { code: 'INTERNAL', message: 'no analysis' }
      await markRawMessageFailed(db, rawMessageId, { ...failure, now })
      return { rawMessageId, ok: false, ...failure }
    }
    const outcome = await storeAnalyzedMessage(db, this.ctx, item.analyzed, item.raw, now)
    await markRawMessageDone(db, rawMessageId, {
      status: outcome.status === 'duplicate' ? 'duplicate' : 'processed',
      messageId: outcome.messageId,
      now,
    })
    return { rawMessageId, ok: true, outcome }
  }
}

/** The code of a BatchResult for a message another worker took over; it was neither stored nor marked failed. */
export const LEASE_LOST = 'LEASE_LOST'

function parseRecipients(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json)
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase()) : []
  } catch {
    return []
  }
}
