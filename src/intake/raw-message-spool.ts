import { createHash } from 'node:crypto'
import { SqliteAdapter, sql } from 'kysely'
import type { Db } from '../store/database.ts'
import { encryptRawMessage, RAW_ENCRYPTION } from './raw-message-crypto.ts'
import { RAW_FILE_ENCRYPTION, type RawMessageFile } from './raw-message-file.ts'
import type { NewRawMessageRow } from './raw-message.table.ts'
import { SqliteSpoolWriter, type SpoolRow } from './sqlite-spool-writer.ts'

export type RawMessageSource = 'smtp' | 'file' | 'imap' | 'form' | 'api'

export interface IncomingRawMessage {
  /** The bytes, or the durable encrypted file a large message was received into (intake/raw-message-file.ts). */
  raw: Buffer | RawMessageFile
  source: RawMessageSource
  mailFrom?: string | undefined
  rcptTo?: string[]
  remoteAddress?: string | undefined
  receivedAt?: Date
}

/**
 * Rows per INSERT statement: 14 values a row stays under SQLite's and PostgreSQL's bound-parameter limits (32,766
 * and 65,535) and keeps one statement's text small.
 */
const ROWS_PER_STATEMENT = 100

const EMPTY = new Uint8Array(0)

/** Batches written at once on PostgreSQL, each on its own pooled connection. */
const POSTGRES_BATCHES_IN_FLIGHT = 3

interface Waiter {
  row: SpoolRow
  resolve(id: number): void
  reject(err: unknown): void
}

/**
 * The durable front door: raw bytes go into the database, and the returned promise resolves only after
 * the transaction that holds them has committed (SQLite WAL with synchronous=FULL, or PostgreSQL's
 * commit). Callers answer SMTP 250 only after that. With an encryption key the stored bytes are encrypted; the
 * sha256 is of the bytes as received.
 *
 * Writes are group-committed: while one transaction is being committed, the messages that arrive
 * queue up and go into the next one together, so many parallel senders cost one fsync per batch
 * instead of one each, without ever acknowledging a message before its batch is on disk.
 *
 * On a SQLite file the batches are written by a worker thread with its own connection (SqliteSpoolWriter):
 * better-sqlite3 is synchronous, and on the main thread every insert and fsync stopped all sockets, so batches
 * stayed small and the SMTP intake reached 11% of Postfix's smtp-sink. That thread also hashes and encrypts, which
 * cost the event loop ~25 µs a message. PostgreSQL (and in-memory SQLite) get one multi-row INSERT per batch through
 * Kysely, hashed and encrypted here.
 */
export class RawMessageSpool {
  private queue: Waiter[] = []
  private flushing: Promise<void> | undefined
  private listeners: Array<() => void> = []
  /** Decided on the first write: the SQLite file's writer thread, or null for Kysely. */
  private writer: Promise<SqliteSpoolWriter | null> | undefined

  /** With an encryption key, the bytes are stored encrypted at rest (AES-256-GCM). */
  constructor(
    private readonly db: Db,
    private readonly encryptionKey?: Buffer,
    private readonly maxBatch = 200,
  ) {}

  /** Stores the message durably and returns its raw_messages id. */
  spool(message: IncomingRawMessage): Promise<number> {
    const row: SpoolRow = {
      source: message.source,
      received_at: (message.receivedAt ?? new Date()).toISOString(),
      mail_from: message.mailFrom ?? null,
      rcpt_to: JSON.stringify(message.rcptTo ?? []),
      remote_address: message.remoteAddress ?? null,
      raw: Buffer.isBuffer(message.raw) ? message.raw : EMPTY,
      file: Buffer.isBuffer(message.raw) ? null : message.raw,
    }
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ row, resolve, reject })
      if (!this.flushing) this.flushing = this.flushLoop()
    })
  }

  /** Called after every committed batch, so a worker in this process can start at once. */
  onSpooled(listener: () => void): void {
    this.listeners.push(listener)
  }

  /** Resolves when everything queued so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing
  }

  private async flushLoop(): Promise<void> {
    try {
      const writer = await (this.writer ??= this.openWriter())
      // SQLite has one writer: one batch at a time (a writer thread that committed the next batch while the disk
      // flushed the last, with synchronous=NORMAL and its own fdatasync, measured no faster). PostgreSQL commits
      // concurrent transactions together (one WAL flush for all), so a few batches in flight shorten the wait.
      const maxInFlight = writer ? 1 : POSTGRES_BATCHES_IN_FLIGHT
      const inFlight = new Set<Promise<void>>()
      while (this.queue.length > 0 || inFlight.size > 0) {
        while (this.queue.length > 0 && inFlight.size < maxInFlight) {
          const write = this.writeBatch(writer, this.queue.splice(0, this.maxBatch)).finally(() => inFlight.delete(write))
          inFlight.add(write)
        }
        await Promise.race(inFlight)
      }
    } catch (err) {
      // Only openWriter can throw here; whatever waits is refused and the next spool() tries again.
      this.writer = undefined
      for (const w of this.queue.splice(0)) w.reject(err)
    } finally {
      this.flushing = undefined
    }
  }

  private async writeBatch(writer: SqliteSpoolWriter | null, batch: Waiter[]): Promise<void> {
    try {
      const rows = batch.map((w) => w.row)
      const ids = writer ? await writer.write(rows) : await this.insertRows(rows)
      if (ids.length !== batch.length) throw new Error(`raw_messages insert returned ${ids.length} ids for ${batch.length} rows`)
      batch.forEach((w, i) => w.resolve(ids[i] as number))
      for (const listener of this.listeners) listener()
    } catch (err) {
      // One bad row (a NUL byte PostgreSQL refuses, say) must not refuse the senders that shared its batch: each
      // message is written on its own, and only what fails again is refused. Any other failure (the database is
      // down, the disk is full) would fail every row the same way, once per row: the batch is refused at once.
      if (batch.length === 1 || !isRowRefused(err)) {
        for (const w of batch) w.reject(err)
        return
      }
      for (const w of batch) await this.writeBatch(writer, [w])
    }
  }

  /** A writer thread for a SQLite file; null for PostgreSQL and for in-memory SQLite (one connection only). */
  private async openWriter(): Promise<SqliteSpoolWriter | null> {
    if (!(this.db.getExecutor().adapter instanceof SqliteAdapter)) return null
    const { rows } = await sql<{ name: string; file: string }>`pragma database_list`.execute(this.db)
    const file = rows.find((r) => r.name === 'main')?.file
    return file ? new SqliteSpoolWriter(file, this.encryptionKey) : null
  }

  /**
   * One multi-row INSERT per statement: one statement to compile and prepare, one round trip to PostgreSQL.
   * RETURNING order is not promised, but ids from one statement increase in VALUES order (a sequence's nextval row
   * by row, SQLite's rowid max+1), so the sorted ids match the rows.
   */
  private async insertRows(rows: SpoolRow[]): Promise<number[]> {
    const insert = async (db: Db, part: SpoolRow[]) => {
      const inserted = await db.insertInto('raw_messages').values(part.map((row) => this.toStoredRow(row))).returning('id').execute()
      return inserted.map((r) => Number(r.id)).sort((a, b) => a - b)
    }
    // One statement is atomic on its own: no BEGIN/COMMIT round trips.
    if (rows.length <= ROWS_PER_STATEMENT) return insert(this.db, rows)
    return this.db.transaction().execute(async (trx) => {
      const out: number[] = []
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) out.push(...(await insert(trx, rows.slice(i, i + ROWS_PER_STATEMENT))))
      return out
    })
  }

  private toStoredRow({ file, ...row }: SpoolRow): NewRawMessageRow {
    // A file is already encrypted, fsynced and hashed as it was received; the row only names it.
    if (file) return { ...row, size_bytes: file.size, sha256: file.sha256, raw: null, raw_file: file.name, encryption: RAW_FILE_ENCRYPTION }
    return {
      ...row,
      size_bytes: row.raw.length,
      sha256: createHash('sha256').update(row.raw).digest('hex'),
      raw: this.encryptionKey ? encryptRawMessage(this.encryptionKey, row.raw) : row.raw,
      encryption: this.encryptionKey ? RAW_ENCRYPTION : null,
    }
  }
}

/**
 * True when the database refused the data itself: PostgreSQL's data exceptions and integrity violations (SQLSTATE
 * classes 22 and 23), SQLite's constraint, type and size errors.
 */
export function isRowRefused(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return false
  return /^2[23][0-9A-Z]{3}$/.test(code) || /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/.test(code)
}
