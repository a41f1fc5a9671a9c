/**
 * The SMTP intake's durable front door: an append-only journal of accepted messages in the data directory, imported
 * into raw_messages right behind it.
 *
 * SMTP's promise is that a 250 means the message is stored. Committing each group of messages into the database
 * before answering made every sender wait for a SQLite transaction (B-tree inserts, checkpoints) or a PostgreSQL
 * round trip and commit; a journal append is one write and one fdatasync of a preallocated file, which is what a
 * mail server's own queue does. The database import then runs behind the 250 in larger batches, and a message is
 * never acknowledged without being on disk: after a crash the journal is read again and imported, each record at most
 * once (raw_messages.spool_key is unique). While the database is unreachable, mail is still accepted and waits in
 * the journal.
 *
 * Layout: `<data-dir>/spool/journal/<journal>/`, one directory per process that receives SMTP (the data directory is
 * shared by all nodes, docs/deploy.md), holding `owner.json` (host, pid; its mtime is a heartbeat), numbered segment
 * files (spool-journal-format.ts) and at most one preallocated spare. A journal whose process is gone (same host and
 * the pid is dead, or no heartbeat for two minutes) is taken over by the next process that opens a journal: renamed
 * to `<journal>.recovered-by.<taker>`, imported and removed.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import path from 'node:path'
import type { Worker } from 'node:worker_threads'
import { startWorker } from '../jobs/worker-entry.ts'
import type { Logger } from '../logger.ts'
import { toSpoolRow, type IncomingRawMessage, type RawMessageSpool } from './raw-message-spool.ts'
import { decodeRecords, segmentFileName, segmentNumberOf, spoolKey, type JournalRecord } from './spool-journal-format.ts'
import { JournalWriter, type JournalRange, type JournalWriterSetup } from './spool-journal-writer.ts'
import type { SpoolRow } from './sqlite-spool-writer.ts'

/** The journal directory inside a data directory. */
export function journalRoot(dataDir: string): string {
  return path.join(dataDir, 'spool', 'journal')
}

export type JournalRequest = { type: 'append'; id: number; rows: SpoolRow[] } | { type: 'close' }
export type JournalReply = { type: 'appended'; id: number; ranges: JournalRange[] } | { type: 'failed'; id: number; segment: number; error: string }

export interface SpoolJournalOptions {
  /** Where journals live: journalRoot(dataDir). */
  root: string
  rawMessageKey: Buffer
  /** The database side: imports records (idempotently, by spool key) into raw_messages. */
  spool: RawMessageSpool
  log: Logger
  /** Segment file size; a record must fit in one. Default 16 MiB. */
  segmentBytes?: number
  /** A journal without a heartbeat this long belongs to a dead process, whatever host it was on. Default 2 min. */
  abandonedAfterMs?: number
  /** Write and sync on the event loop (each batch blocks it for one fdatasync) instead of in a thread. */
  writeOnEventLoop?: boolean
}

const OWNER_FILE = 'owner.json'
const SPARE_FILE = 'spare.seg'
const RECOVERED_MARK = '.recovered-by.'
const HEARTBEAT_MS = 20_000
/** Records per import transaction. */
const IMPORT_BATCH = 500
/** Batches handed to the writer thread at once: the next is waiting in its queue while one is synced. */
const APPENDS_IN_FLIGHT = 2
const MAX_BATCH_ROWS = 500

interface Waiter {
  row: SpoolRow
  resolve(key: string): void
  reject(err: unknown): void
}

interface SegmentState {
  /** Highest sequence synced and acknowledged to its sender. */
  acked: number
  /** Highest sequence imported into the database. */
  imported: number
  /** Set when the writer moved past this segment: its last acknowledged sequence. */
  last?: number
}

/**
 * One process's journal: append() resolves with the message's spool key once its record is on disk; the import into
 * raw_messages follows on its own (RawMessageSpool's listeners then wake the worker).
 */
export class SpoolJournal {
  private worker: Worker | undefined
  private queue: Waiter[] = []
  private readonly inFlight = new Map<number, Waiter[]>()
  private nextRequest = 1
  private readonly segments = new Map<number, SegmentState>()
  private readonly imports: JournalRange[] = []
  private importing: Promise<void> | undefined
  private heartbeat: NodeJS.Timeout | undefined
  private recovering: Promise<void> | undefined
  private sparePreparing = false
  /** Spare preparation and segment recycling under way: close() waits for them before removing the directory. */
  private readonly chores = new Set<Promise<void>>()
  /** Set by close(): no more appends; an import that fails is left to the next start. */
  private closing = false
  private readonly segmentBytes: number
  readonly name: string
  readonly dir: string

  private constructor(private readonly options: SpoolJournalOptions) {
    this.segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024
    const host = hostname().replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 60) || 'host'
    this.name = `${host}-${process.pid}-${randomBytes(4).toString('hex')}`
    this.dir = path.join(options.root, this.name)
  }

  /** Imports what dead processes left in their journals, then starts this process's own. */
  static async open(options: SpoolJournalOptions): Promise<SpoolJournal> {
    const journal = new SpoolJournal(options)
    await mkdir(journal.dir, { recursive: true, mode: 0o700 })
    // Own journal first: while this process imports another's, the taker is seen alive and nobody takes it back.
    await writeFile(path.join(journal.dir, OWNER_FILE), JSON.stringify({ host: hostname(), pid: process.pid, startedAt: new Date().toISOString() }), { mode: 0o600 })
    await journal.recover()
    journal.heartbeat = setInterval(() => {
      const now = new Date()
      utimes(path.join(journal.dir, OWNER_FILE), now, now).catch((err: unknown) => options.log.warn({ err }, 'journal heartbeat failed'))
      void journal.recover()
    }, HEARTBEAT_MS)
    journal.heartbeat.unref()
    await journal.prepareSpare()
    return journal
  }

  /** One sweep for abandoned journals at a time; a failed import is logged and tried again on the next sweep. */
  private recover(): Promise<void> {
    this.recovering ??= recoverAbandonedJournals(this.options, this.name)
      .catch((err: unknown) => this.options.log.error({ err }, 'journal recovery failed; will retry'))
      .finally(() => {
        this.recovering = undefined
      })
    return this.recovering
  }

  /** Appends the message; resolves with its spool key once the record is synced to disk. */
  append(message: IncomingRawMessage): Promise<string> {
    if (this.closing) return Promise.reject(new Error('the spool journal is closed'))
    const row = toSpoolRow(message)
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ row, resolve, reject })
      this.pump()
    })
  }

  private inline: JournalWriter | undefined
  private inlineScheduled = false

  /** Hands queued messages to the writer thread, a batch at a time, up to APPENDS_IN_FLIGHT batches. */
  private pump(): void {
    if (this.options.writeOnEventLoop) {
      if (this.inlineScheduled || this.queue.length === 0) return
      this.inlineScheduled = true
      // After this turn's socket reads: every message whose DATA ended in it goes into one write and one sync.
      setImmediate(() => {
        this.inlineScheduled = false
        const writer = (this.inline ??= new JournalWriter({ dir: this.dir, key: this.options.rawMessageKey, segmentBytes: this.segmentBytes, spareName: SPARE_FILE }))
        while (this.queue.length > 0) {
          const batch = this.queue.splice(0, MAX_BATCH_ROWS)
          const id = this.nextRequest++
          this.inFlight.set(id, batch)
          let reply: JournalReply
          try {
            reply = { type: 'appended', id, ranges: writer.append(batch.map((w) => w.row)) }
          } catch (err) {
            reply = { type: 'failed', id, segment: writer.segment, error: err instanceof Error ? err.message : String(err) }
          }
          this.onReply(reply)
        }
      })
      return
    }
    while (this.queue.length > 0 && this.inFlight.size < APPENDS_IN_FLIGHT) {
      const batch = this.queue.splice(0, MAX_BATCH_ROWS)
      const id = this.nextRequest++
      this.inFlight.set(id, batch)
      const worker = (this.worker ??= this.startWorker())
      // Referenced while a batch is in flight, so the process does not end before its senders get their answers.
      worker.ref()
      worker.postMessage({ type: 'append', id, rows: batch.map((w) => w.row) } satisfies JournalRequest)
    }
  }

  private startWorker(): Worker {
    const setup: JournalWriterSetup = { dir: this.dir, key: this.options.rawMessageKey, segmentBytes: this.segmentBytes, spareName: SPARE_FILE }
    const worker = startWorker(new URL('./spool-journal.worker.ts', import.meta.url), { workerData: setup })
    worker.unref()
    worker.on('message', (reply: JournalReply) => this.onReply(reply))
    const fail = (err: unknown) => {
      this.worker = undefined
      for (const [id, batch] of this.inFlight) {
        this.inFlight.delete(id)
        for (const w of batch) w.reject(err)
      }
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`spool journal thread exited (${code})`)))
    return worker
  }

  private onReply(reply: JournalReply): void {
    const batch = this.inFlight.get(reply.id)
    this.inFlight.delete(reply.id)
    if (this.inFlight.size === 0) this.worker?.unref()
    if (reply.type === 'failed') {
      this.options.log.error({ error: reply.error }, 'spool journal write failed; the batch is refused with 451')
      // The thread goes on in a new segment. What the old ones hold beyond their acknowledged records was refused.
      for (const [segment, state] of this.segments) if (segment <= reply.segment && state.last === undefined) this.finishSegment(segment, state.acked)
      for (const w of batch ?? []) w.reject(new Error(`spool journal write failed: ${reply.error}`))
    } else {
      let i = 0
      for (const range of reply.ranges) {
        if (range.finished) {
          this.finishSegment(range.segment, range.sequenceFrom - 1)
          continue
        }
        const state = this.segments.get(range.segment)
        if (state) state.acked = range.sequenceTo
        else {
          // The writer took the spare for this segment: prepare the next one meanwhile.
          this.segments.set(range.segment, { acked: range.sequenceTo, imported: 0 })
          this.chore(this.prepareSpare(), 'preparing a spare journal segment failed')
        }
        for (let seq = range.sequenceFrom; seq <= range.sequenceTo; seq++) batch?.[i++]?.resolve(spoolKey(this.name, range.segment, seq))
        this.imports.push(range)
      }
      this.importing ??= this.importLoop()
    }
    this.pump()
  }

  /** Marks a segment the writer has left, with its last acknowledged sequence. */
  private finishSegment(segment: number, last: number): void {
    const state = this.segments.get(segment) ?? { acked: last, imported: 0 }
    state.last = last
    this.segments.set(segment, state)
    this.chore(this.recycleIfDone(segment), 'recycling a journal segment failed')
  }

  private chore(work: Promise<void>, failure: string): void {
    const done = work.catch((err: unknown) => this.options.log.warn({ err }, failure)).finally(() => this.chores.delete(done))
    this.chores.add(done)
  }

  /**
   * Imports synced ranges into raw_messages in order, everything synced since the last import in one transaction,
   * retrying (with back-off) while the database is unreachable.
   */
  private async importLoop(): Promise<void> {
    let delayMs = 500
    try {
      while (this.imports.length > 0) {
        let taken = 0
        let records = 0
        for (const range of this.imports) {
          if (taken > 0 && records + range.sequenceTo - range.sequenceFrom + 1 > IMPORT_BATCH) break
          taken++
          records += range.sequenceTo - range.sequenceFrom + 1
        }
        const ranges = this.imports.slice(0, taken)
        try {
          const read = await Promise.all(joinAdjacent(ranges).map((range) => this.readRange(range)))
          await this.options.spool.importJournaled(this.name, read.flat())
          this.imports.splice(0, taken)
          delayMs = 500
          for (const range of ranges) {
            const state = this.segments.get(range.segment)
            if (state) state.imported = range.sequenceTo
          }
          for (const segment of new Set(ranges.map((r) => r.segment))) await this.recycleIfDone(segment)
        } catch (err) {
          this.options.log.error({ err }, 'journal import failed; retrying')
          if (this.closing) return // left in the journal for the next start to import
          await new Promise((resolve) => setTimeout(resolve, delayMs))
          delayMs = Math.min(delayMs * 2, 30_000)
        }
      }
    } finally {
      this.importing = undefined
    }
  }

  private async readRange(range: JournalRange): Promise<JournalRecord[]> {
    const handle = await open(path.join(this.dir, segmentFileName(range.segment)), 'r')
    try {
      const bytes = Buffer.allocUnsafe(range.offsetTo - range.offsetFrom)
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, range.offsetFrom)
      const records = decodeRecords(bytes.subarray(0, bytesRead), range.segment, range.sequenceFrom)
      const expected = range.sequenceTo - range.sequenceFrom + 1
      if (records.length !== expected) throw new Error(`journal segment ${range.segment} holds ${records.length} of the ${expected} records written`)
      return records
    } finally {
      await handle.close()
    }
  }

  /** A segment the writer left and whose records are all imported becomes the spare (or is removed). */
  private async recycleIfDone(segment: number): Promise<void> {
    const state = this.segments.get(segment)
    if (!state || state.last === undefined || state.imported < state.last) return
    this.segments.delete(segment)
    // Its records must be durable in the database before the journal's copy goes.
    await this.options.spool.syncImports()
    const file = path.join(this.dir, segmentFileName(segment))
    const spare = path.join(this.dir, SPARE_FILE)
    // Only this thread creates the spare and only the writer thread consumes it, so a missing spare stays missing.
    if (!this.sparePreparing && !(await exists(spare))) await rename(file, spare)
    else await rm(file, { force: true })
  }

  /** Writes a zeroed spare segment in the background, so the writer thread's next segment is ready. */
  private async prepareSpare(): Promise<void> {
    const spare = path.join(this.dir, SPARE_FILE)
    if (this.sparePreparing || (await exists(spare))) return
    this.sparePreparing = true
    const temp = path.join(this.dir, 'spare.tmp')
    try {
      const handle = await open(temp, 'w', 0o600)
      try {
        const zeros = Buffer.alloc(1024 * 1024)
        for (let at = 0; at < this.segmentBytes; at += zeros.length) await handle.write(zeros, 0, Math.min(zeros.length, this.segmentBytes - at), at)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temp, spare)
    } finally {
      this.sparePreparing = false
    }
  }

  /** Messages answered with 250 and not yet imported into the database. */
  backlog(): number {
    let count = 0
    for (const range of this.imports) count += range.sequenceTo - range.sequenceFrom + 1
    return count
  }

  /** Resolves once everything appended so far is synced and imported (or, when closing, its import failed). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight.size > 0 || this.importing) {
      await (this.importing ?? new Promise((resolve) => setTimeout(resolve, 5)))
    }
  }

  /**
   * Stops after the appends in flight, imports what is left and removes the journal; when the database cannot take
   * it, the journal stays for the next start to import.
   */
  async close(): Promise<void> {
    if (this.closing) return
    this.closing = true
    clearInterval(this.heartbeat)
    await this.recovering
    await this.drain()
    while (this.chores.size > 0) await Promise.all([...this.chores])
    this.worker?.postMessage({ type: 'close' } satisfies JournalRequest)
    this.worker = undefined
    this.inline?.close()
    const synced = this.imports.length === 0 && (await this.options.spool.syncImports().then(() => true, () => false))
    if (synced) await rm(this.dir, { recursive: true, force: true })
    else this.options.log.warn({ journal: this.name, ranges: this.imports.length }, 'journal not fully imported; the next start imports it')
  }
}

/** Ranges of one segment that follow each other, read as one. */
function joinAdjacent(ranges: JournalRange[]): JournalRange[] {
  const out: JournalRange[] = []
  for (const range of ranges) {
    const last = out.at(-1)
    if (last && last.segment === range.segment && last.offsetTo === range.offsetFrom) out[out.length - 1] = { ...last, sequenceTo: range.sequenceTo, offsetTo: range.offsetTo }
    else out.push({ ...range })
  }
  return out
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  )
}

interface Owner {
  host?: string
  pid?: number
}

/** A journal of a process that is gone: on this host with a dead pid (or ours, reused), or silent for too long. */
async function isAbandoned(dir: string, abandonedAfterMs: number): Promise<boolean> {
  const ownerFile = path.join(dir, OWNER_FILE)
  const info = await stat(ownerFile).catch(() => undefined)
  // No owner file: a journal that died while being created (or one this process is renaming); judged by the dir's age.
  const since = info?.mtimeMs ?? (await stat(dir).catch(() => undefined))?.mtimeMs
  if (since === undefined) return false
  if (Date.now() - since > abandonedAfterMs) return true
  if (!info) return false
  const owner = JSON.parse(await readFile(ownerFile, 'utf8').catch(() => '{}')) as Owner
  if (owner.host !== hostname() || typeof owner.pid !== 'number') return false
  if (owner.pid === process.pid) return true
  try {
    process.kill(owner.pid, 0)
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * Takes over and imports every abandoned journal under the root, including ones whose taker died importing them,
 * then removes them. A rename is the claim: of several processes recovering at once, one wins each journal. One this
 * process claimed and failed to import (the database was down) is tried again.
 */
async function recoverAbandonedJournals(options: SpoolJournalOptions, self: string): Promise<void> {
  const abandonedAfterMs = options.abandonedAfterMs ?? 120_000
  for (const entry of await readdir(options.root)) {
    if (entry === self) continue
    const dir = path.join(options.root, entry)
    const mark = entry.indexOf(RECOVERED_MARK)
    const journal = mark >= 0 ? entry.slice(0, mark) : entry
    if (mark >= 0) {
      const taker = entry.slice(mark + RECOVERED_MARK.length)
      const takerDir = path.join(options.root, taker)
      if (taker !== self && (await exists(takerDir)) && !(await isAbandoned(takerDir, abandonedAfterMs))) continue
    } else if (!(await isAbandoned(dir, abandonedAfterMs))) continue
    const claimed = path.join(options.root, `${journal}${RECOVERED_MARK}${self}`)
    if (claimed !== dir) {
      try {
        await rename(dir, claimed)
      } catch {
        continue // another process claimed it first
      }
    }
    const imported = await importJournalDir(options, journal, claimed)
    await options.spool.syncImports()
    await rm(claimed, { recursive: true, force: true })
    options.log.info({ journal, imported }, 'imported the journal of a stopped process')
  }
}

/** Imports every valid record of a journal's segments, in order; returns how many there were. */
async function importJournalDir(options: SpoolJournalOptions, journal: string, dir: string): Promise<number> {
  const segments = (await readdir(dir))
    .map((name) => segmentNumberOf(name))
    .filter((n): n is number => n !== undefined)
    .sort((a, b) => a - b)
  let count = 0
  for (const segment of segments) {
    const records = decodeRecords(await readFile(path.join(dir, segmentFileName(segment))), segment)
    for (let i = 0; i < records.length; i += IMPORT_BATCH) await options.spool.importJournaled(journal, records.slice(i, i + IMPORT_BATCH))
    count += records.length
  }
  return count
}
