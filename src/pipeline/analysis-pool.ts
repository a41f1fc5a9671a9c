import type { Worker } from 'node:worker_threads'
import type { Brand } from '../brand.ts'
import { MaildeskError } from '../errors.ts'
import { decryptRawMessage } from '../intake/raw-message-crypto.ts'
import { startWorker } from '../jobs/worker-entry.ts'
import type { Logger } from '../logger.ts'
import { AttachmentStore } from '../tickets/attachment-store.ts'
import { createClamdScanner } from '../attachments/clamd-scanner.ts'
import { resolverFromDescription, type DnsResolverDescription } from './authenticate-sender.ts'
import type { ParseLimits } from './parse-message.ts'
import { analyzeMessage, type AnalysisContext, type AnalyzedMessage, type Envelope } from './process-message.ts'
import { composeOutboundMessage, type ComposedMessage, type ComposeOutboundInput } from '../notify/compose-outbound-message.ts'

/** What a worker thread needs to analyse messages exactly as the main thread does; all of it structured-clonable. */
export interface AnalysisSetup {
  limits: ParseLimits
  attachmentsDir: string
  brand: Brand
  mtaName: string
  dns: DnsResolverDescription
  clamdAddress: string | undefined
  rawMessageKey: Uint8Array
}

/** One spooled message to analyse, as stored: encrypted at rest (`encryption` names the cipher) or plain. */
export interface AnalysisRequest {
  stored: Uint8Array
  encryption: string | null
  envelope: Envelope
}

/** The analysis context a worker thread builds from its setup. */
export function analysisContextFromSetup(setup: AnalysisSetup): AnalysisContext {
  return {
    limits: setup.limits,
    attachments: new AttachmentStore(setup.attachmentsDir),
    brand: setup.brand,
    mtaName: setup.mtaName,
    resolver: resolverFromDescription(setup.dns),
    scanner: setup.clamdAddress ? createClamdScanner(setup.clamdAddress) : undefined,
  }
}

/** Decrypts a stored raw message and runs the database-free stages on it (in whichever thread calls it). */
export async function analyzeStoredMessage(ctx: AnalysisContext, rawMessageKey: Uint8Array, request: AnalysisRequest): Promise<AnalyzedMessage> {
  const raw = request.encryption ? decryptRawMessage(Buffer.from(rawMessageKey), request.stored) : request.stored
  return analyzeMessage(ctx, raw, request.envelope)
}

/** A failure as it crosses the thread boundary: class instances do not survive structured cloning, codes do. */
export interface AnalysisFailure {
  code: string
  message: string
}

/** What the main thread posts: a message to analyse, or an automatic mail to compose (notify/compose-outbound-message.ts). */
export type PoolJob = { id: number; request: AnalysisRequest } | { id: number; compose: ComposeOutboundInput }

/** A composed mail as it crosses from the thread: its bytes arrive as a plain Uint8Array. */
type ComposedOnTheWire = Omit<ComposedMessage, 'raw'> & { raw: Uint8Array }

/** A thread's answer to one job: its analysis or composed mail, or the failure. */
export type AnalysisReply = { id: number } & ({ ok: true; value: AnalyzedMessage | ComposedOnTheWire } | { ok: false; failure: AnalysisFailure })

/** The stable code and message of an analysis error, in either thread. */
export function describeAnalysisFailure(err: unknown): AnalysisFailure {
  if (err instanceof MaildeskError) return { code: err.code, message: err.message }
  if (err instanceof AnalysisThreadError) return err.failure
  return { code: 'PIPELINE_ERROR', message: err instanceof Error ? err.message : String(err) }
}

/** An analysis that failed in a worker thread, carrying the code it had there. */
export class AnalysisThreadError extends Error {
  constructor(readonly failure: AnalysisFailure) {
    super(failure.message)
    this.name = 'AnalysisThreadError'
  }
}

/**
 * The buffers of an analysis result that can move to the other thread instead of being copied (attachment bytes,
 * phishing evidence). A view on part of a larger buffer is first copied to its own buffer: moving the larger one
 * would detach bytes that are not ours, and cloning it would copy all of it.
 */
export function transferablesOf(analyzed: AnalyzedMessage): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>()
  const own = (bytes: Uint8Array): Uint8Array => {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    const result = whole && !out.has(bytes.buffer as ArrayBuffer) ? bytes : new Uint8Array(bytes)
    out.add(result.buffer as ArrayBuffer)
    return result
  }
  for (const attachment of analyzed.parsed.attachments) attachment.content = own(attachment.content)
  if (analyzed.phishingEvidence) analyzed.phishingEvidence.raw = own(analyzed.phishingEvidence.raw)
  return [...out]
}

export interface AnalysisPoolOptions {
  /** Worker threads (started on first use). */
  threads: number
  /**
   * Messages handed to one thread at a time. Enough to keep it busy through the main thread's longest synchronous
   * stretch (a batch's search indexing and commit, 20–40 ms, when no reply is read and no message handed over); the
   * batch bounds the memory, its raw bytes are loaded when it is claimed.
   */
  inFlightPerThread?: number
  log: Logger
}

interface Pending {
  /** The same job in this thread, should the worker thread die before answering. */
  here: () => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

interface PoolThread {
  worker: Worker
  ready: boolean
  pending: Map<number, Pending>
}

/**
 * Worker threads running the database-free stages (parse, authenticate, impersonation, redact, extract, classify),
 * so the main thread can store one batch while the next is analysed. Threads start lazily, in the background:
 * until one is ready, `tryAnalyze` declines and the caller analyses in its own thread. A thread that dies hands
 * its messages back the same way (they are analysed in-thread), and the pool stops using threads.
 */
export class AnalysisPool {
  private threads: PoolThread[] = []
  private started = false
  private broken = false
  private nextId = 1
  private readonly inFlightPerThread: number
  private readyWaiters: Array<() => void> = []

  constructor(
    private readonly setup: AnalysisSetup,
    private readonly inThread: (request: AnalysisRequest) => Promise<AnalyzedMessage>,
    private readonly options: AnalysisPoolOptions,
  ) {
    this.inFlightPerThread = options.inFlightPerThread ?? 32
  }

  /** Starts the threads (once); they take work when they have loaded. */
  start(): void {
    if (this.started || this.broken || this.options.threads < 1) return
    this.started = true
    for (let i = 0; i < this.options.threads; i++) {
      let worker: Worker
      try {
        worker = startWorker(new URL('./analyze-message.worker.ts', import.meta.url), { workerData: this.setup })
      } catch (err) {
        this.options.log.warn({ err }, 'analysis thread could not start; analysing in the main thread')
        this.broken = true
        return
      }
      const thread: PoolThread = { worker, ready: false, pending: new Map() }
      worker.unref()
      worker.on('message', (reply: AnalysisReply | 'ready') => {
        if (reply === 'ready') {
          thread.ready = true
          this.wakeReadyWaiters()
          return
        }
        const pending = thread.pending.get(reply.id)
        if (!pending) return
        thread.pending.delete(reply.id)
        if (reply.ok) pending.resolve(reply.value)
        else pending.reject(new AnalysisThreadError(reply.failure))
      })
      const fail = (err: unknown) => this.threadFailed(thread, err)
      worker.on('error', fail)
      worker.on('exit', (code) => fail(new Error(`analysis thread exited with code ${code}`)))
      this.threads.push(thread)
    }
  }

  /**
   * Starts the threads and resolves once one has loaded (true), or once the pool has stopped using threads or has
   * none (false). Until then messages are analysed in the caller's thread, a fraction of the speed.
   */
  async whenReady(): Promise<boolean> {
    this.start()
    if (this.broken || this.threads.length === 0) return false
    if (!this.ready) await new Promise<void>((resolve) => this.readyWaiters.push(resolve))
    return this.ready
  }

  private wakeReadyWaiters(): void {
    for (const resolve of this.readyWaiters.splice(0)) resolve()
  }

  /** True once a thread has loaded and the pool has not stopped using threads. */
  get ready(): boolean {
    return !this.broken && this.threads.some((t) => t.ready)
  }

  /** Messages the threads can take right now (0 while they start, or when they are busy). */
  get freeSlots(): number {
    let free = 0
    for (const t of this.threads) if (t.ready) free += this.inFlightPerThread - t.pending.size
    return free
  }

  /**
   * Analyses in a worker thread when one is ready and has room; otherwise returns undefined and the caller
   * analyses in its own thread. The bytes are copied to the thread (and kept here until the reply, so a thread
   * that dies can hand its messages back).
   */
  tryAnalyze(request: AnalysisRequest): Promise<AnalyzedMessage> | undefined {
    // Structured cloning copies a view's whole underlying buffer: a pooled Buffer would take its 8 KiB slab along.
    return this.tryPost((id) => ({ id, request: { ...request, stored: ownBuffer(request.stored) } }), () => this.inThread(request))
  }

  /**
   * Composes an automatic mail (MIME building, quoted-printable, the HTML part) in a worker thread when one has
   * room, so acknowledgements sent while a batch is stored do not take the main thread's time; undefined otherwise.
   */
  tryCompose(input: ComposeOutboundInput): Promise<ComposedMessage> | undefined {
    const posted = this.tryPost<ComposedOnTheWire>((id) => ({ id, compose: input }), () => composeOutboundMessage(input))
    // Structured cloning delivers the bytes as a plain Uint8Array: a Buffer again, over the same memory.
    return posted?.then((composed) => ({ ...composed, raw: Buffer.from(composed.raw.buffer, composed.raw.byteOffset, composed.raw.byteLength) }))
  }

  /** Posts a job to the least busy ready thread with room; undefined when there is none. */
  private tryPost<T>(job: (id: number) => PoolJob, here: () => Promise<T>): Promise<T> | undefined {
    if (this.broken) return undefined
    let best: PoolThread | undefined
    for (const t of this.threads) {
      if (t.ready && t.pending.size < this.inFlightPerThread && (!best || t.pending.size < best.pending.size)) best = t
    }
    if (!best) return undefined
    const thread = best
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      thread.pending.set(id, { here, resolve: resolve as (value: unknown) => void, reject })
      thread.worker.postMessage(job(id))
    })
  }

  /** Stops the threads; messages still with them are analysed in-thread. */
  async close(): Promise<void> {
    this.broken = true
    this.wakeReadyWaiters()
    const threads = this.threads
    this.threads = []
    for (const t of threads) this.handBack(t)
    await Promise.all(threads.map((t) => t.worker.terminate()))
  }

  private threadFailed(thread: PoolThread, err: unknown): void {
    if (!this.threads.includes(thread)) return
    this.options.log.warn({ err }, 'analysis thread stopped; analysing in the main thread')
    this.broken = true
    this.wakeReadyWaiters()
    this.threads = this.threads.filter((t) => t !== thread)
    this.handBack(thread)
    void thread.worker.terminate()
  }

  private handBack(thread: PoolThread): void {
    const pending = [...thread.pending.values()]
    thread.pending.clear()
    for (const p of pending) p.here().then(p.resolve, p.reject)
  }
}

/** A Uint8Array that owns its whole ArrayBuffer (so it can be transferred), copying only when it does not. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
  return whole ? bytes : new Uint8Array(bytes)
}
