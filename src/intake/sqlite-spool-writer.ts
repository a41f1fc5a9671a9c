import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { RAW_FILE_ENCRYPTION } from './raw-message-file.ts'

/** One message as the spool receives it; size, hash and encryption are added where it is written. */
export interface SpoolRow {
  source: string
  received_at: string
  mail_from: string | null
  rcpt_to: string
  remote_address: string | null
  /** The bytes as received (empty when `file` is set). */
  raw: Uint8Array
  /** A large message's durable encrypted file (intake/raw-message-file.ts): the row names it, with its size and hash. */
  file: { name: string; size: number; sha256: string } | null
}

/**
 * The worker's code, inline rather than a file of its own, so it loads the same way from the TypeScript sources
 * (tsx, vitest) and from the bundle: it needs nothing but better-sqlite3, whose path the main thread resolves.
 * It hashes and encrypts in the format of raw-message-crypto.ts (12-byte IV, 16-byte tag, ciphertext; its
 * decryptRawMessage reads these rows back in raw-message-spool.test.ts), so the event loop doesn't.
 * Its own connection: WAL, synchronous=FULL (the commit is fsynced before the ids go back), busy_timeout for the
 * moments another connection is writing.
 */
const WORKER_SOURCE = `
const { createCipheriv, createHash, randomBytes } = require('node:crypto')
const { parentPort, workerData } = require('node:worker_threads')
const key = workerData.key ? Buffer.from(workerData.key) : undefined
function encrypt(plain) {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = cipher.update(plain)
  const tail = cipher.final()
  const out = Buffer.allocUnsafe(28 + body.length + tail.length)
  iv.copy(out, 0)
  cipher.getAuthTag().copy(out, 12)
  body.copy(out, 28)
  tail.copy(out, 28 + body.length)
  return out
}
const Database = require(workerData.betterSqlite3)
const db = new Database(workerData.file)
db.pragma('journal_mode = WAL')
db.pragma('synchronous = FULL')
db.pragma('busy_timeout = 5000')
const insert = db.prepare('insert into raw_messages (source, received_at, mail_from, rcpt_to, remote_address, size_bytes, sha256, raw, encryption, raw_file) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
// Hashed and encrypted before the transaction, so the write lock is held for the inserts only.
function toParams(r) {
  if (r.file) return [r.source, r.received_at, r.mail_from, r.rcpt_to, r.remote_address, r.file.size, r.file.sha256, null, workerData.fileEncryption, r.file.name]
  const raw = Buffer.from(r.raw.buffer, r.raw.byteOffset, r.raw.byteLength)
  const sha256 = createHash('sha256').update(raw).digest('hex')
  return [r.source, r.received_at, r.mail_from, r.rcpt_to, r.remote_address, raw.length, sha256, key ? encrypt(raw) : raw, key ? 'aes-256-gcm' : null, null]
}
const insertAll = db.transaction((rows) => rows.map((params) => Number(insert.run(params).lastInsertRowid)))
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return }
  try {
    parentPort.postMessage({ ids: insertAll(m.map(toParams)) })
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err), code: err && err.code })
  }
})
`

/** How long an idle writer thread stays before it is stopped (and started again by the next message). */
const IDLE_MS = 2000

/**
 * Writes spool batches to a SQLite file in a worker thread with its own connection, so the event loop keeps serving
 * sockets while a batch is inserted and fsynced, and while it does, the next batch gathers. One batch at a time.
 */
export class SqliteSpoolWriter {
  private worker: Worker | undefined
  /** The batch being written, and the thread it was posted to (an idle thread may still be closing meanwhile). */
  private inFlight: { worker: Worker; resolve(ids: number[]): void; reject(err: unknown): void } | undefined
  private idleTimer: NodeJS.Timeout | undefined
  private readonly betterSqlite3: string

  constructor(
    private readonly file: string,
    private readonly encryptionKey?: Buffer,
  ) {
    this.betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3')
  }

  /** Inserts the rows in one transaction; resolves with their ids, in order, once the commit is on disk. */
  write(rows: SpoolRow[]): Promise<number[]> {
    if (this.inFlight) return Promise.reject(new Error('SqliteSpoolWriter takes one batch at a time'))
    clearTimeout(this.idleTimer)
    const worker = this.worker ?? this.start()
    // Referenced while a batch is in flight, so a short-lived command that awaits its spool write is not ended
    // early by an empty event loop; unreferenced when idle, so the thread never keeps a process alive.
    worker.ref()
    return new Promise<number[]>((resolve, reject) => {
      this.inFlight = { worker, resolve, reject }
      worker.postMessage(rows)
    }).finally(() => {
      worker.unref()
      this.idleTimer = setTimeout(() => this.stop(), IDLE_MS)
      this.idleTimer.unref()
    })
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: this.file, betterSqlite3: this.betterSqlite3, key: this.encryptionKey, fileEncryption: RAW_FILE_ENCRYPTION } })
    // Only this thread's batch is settled here: a stopped thread that exits while the next batch is being written by
    // its successor must not fail that batch (the successor commits it).
    const settle = (): { resolve(ids: number[]): void; reject(err: unknown): void } | undefined => {
      const pending = this.inFlight
      if (pending?.worker !== worker) return undefined
      this.inFlight = undefined
      return pending
    }
    worker.on('message', (m: { ids?: number[]; error?: string; code?: string }) => {
      const pending = settle()
      if (m.ids) pending?.resolve(m.ids)
      // The SQLite code travels with the message, so the spool can tell a refused row from a failed write.
      else pending?.reject(Object.assign(new Error(`spool write failed: ${m.error ?? 'unknown error'}`), { code: m.code }))
    })
    const fail = (err: unknown) => {
      if (this.worker === worker) this.worker = undefined
      settle()?.reject(err)
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`spool writer thread exited (${code})`)))
    this.worker = worker
    return worker
  }

  private stop(): void {
    const worker = this.worker
    if (!worker || this.inFlight) return
    this.worker = undefined
    worker.postMessage('close')
  }
}
