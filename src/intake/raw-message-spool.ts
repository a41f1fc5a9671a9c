import { createHash } from 'node:crypto'
import type { Db } from '../store/database.ts'
import { encryptRawMessage, RAW_ENCRYPTION } from './raw-message-crypto.ts'
import type { NewRawMessageRow } from './raw-message.table.ts'

export type RawMessageSource = 'smtp' | 'file' | 'imap' | 'form' | 'api'

export interface IncomingRawMessage {
  raw: Buffer
  source: RawMessageSource
  mailFrom?: string | undefined
  rcptTo?: string[]
  remoteAddress?: string | undefined
  receivedAt?: Date
}

interface Waiter {
  row: NewRawMessageRow
  resolve(id: number): void
  reject(err: unknown): void
}

/**
 * The durable front door: raw bytes go into the database, and the returned promise resolves only after
 * the transaction that holds them has committed (SQLite WAL with synchronous=FULL, or PostgreSQL's
 * commit). Callers answer SMTP 250 only after that.
 *
 * Writes are group-committed: while one transaction is being committed, the messages that arrive
 * queue up and go into the next one together, so many parallel senders cost one fsync per batch
 * instead of one each, without ever acknowledging a message before its batch is on disk.
 */
export class RawMessageSpool {
  private queue: Waiter[] = []
  private flushing: Promise<void> | undefined
  private listeners: Array<() => void> = []

  /** With an encryption key, the bytes are stored encrypted at rest (AES-256-GCM). */
  constructor(
    private readonly db: Db,
    private readonly encryptionKey?: Buffer,
    private readonly maxBatch = 200,
  ) {}

  /** Stores the message durably and returns its raw_messages id. */
  spool(message: IncomingRawMessage): Promise<number> {
    const row: NewRawMessageRow = {
      source: message.source,
      received_at: (message.receivedAt ?? new Date()).toISOString(),
      mail_from: message.mailFrom ?? null,
      rcpt_to: JSON.stringify(message.rcptTo ?? []),
      remote_address: message.remoteAddress ?? null,
      size_bytes: message.raw.length,
      sha256: createHash('sha256').update(message.raw).digest('hex'),
      raw: this.encryptionKey ? encryptRawMessage(this.encryptionKey, message.raw) : message.raw,
      encryption: this.encryptionKey ? RAW_ENCRYPTION : null,
      locked_until: null,
      error_code: null,
      error_message: null,
      processed_at: null,
      message_id: null,
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
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch)
        try {
          const ids = await this.db.transaction().execute(async (trx) => {
            const out: number[] = []
            for (const w of batch) {
              const inserted = await trx.insertInto('raw_messages').values(w.row).returning('id').executeTakeFirstOrThrow()
              out.push(inserted.id)
            }
            return out
          })
          batch.forEach((w, i) => w.resolve(ids[i] as number))
          for (const listener of this.listeners) listener()
        } catch (err) {
          for (const w of batch) w.reject(err)
        }
      }
    } finally {
      this.flushing = undefined
    }
  }
}
