import { sql, type ExpressionBuilder, type RawBuilder } from 'kysely'
import type { Database, Db, Store } from '../store/database.ts'
import { relaxedTransaction } from '../store/relaxed-transaction.ts'
import type { RawMessageRow, RawMessageStatus } from './raw-message.table.ts'

/** Columns safe to list: everything except the raw bytes. */
const SUMMARY_COLUMNS = [
  'id', 'source', 'received_at', 'mail_from', 'rcpt_to', 'remote_address', 'size_bytes', 'sha256', 'status',
  'attempts', 'locked_until', 'error_code', 'error_message', 'processed_at', 'message_id', 'encryption', 'raw_file',
] as const

export type RawMessageSummary = Omit<RawMessageRow, 'raw'>

export interface ClaimOptions {
  now: Date
  leaseMs: number
  maxCount: number
  /** Stop adding messages once their total size passes this (at least one is always claimed). */
  maxTotalBytes: number
}

/**
 * Marks the oldest pending messages (and those whose worker's lease ran out) as processing and returns them.
 * PostgreSQL locks the candidate rows with SKIP LOCKED, so concurrent workers never claim the same message;
 * SQLite does it in one UPDATE statement, which is atomic even with another process on the same file.
 * The claim's commit does not wait for its fsync (relaxedTransaction): a claim lost to a power cut leaves the
 * message pending, to be claimed again; the batch's stored results are committed after it, in the same log order.
 */
export async function claimRawMessages(store: Store, opts: ClaimOptions): Promise<RawMessageSummary[]> {
  const nowIso = opts.now.toISOString()
  const lockedUntil = new Date(opts.now.getTime() + opts.leaseMs).toISOString()
  // SQLite: `+status` keeps the status index out of the UPDATE's re-check, so the rows are found by id. With an
  // indexable OR there, SQLite walked every pending row and tested each against the id list.
  const { dialect } = store
  const status = dialect === 'sqlite' ? sql<string>`+status` : sql<string>`status`
  const claimable = (eb: ExpressionBuilder<Database, 'raw_messages'>) =>
    eb.or([eb(status, '=', 'pending'), eb.and([eb(status, '=', 'processing'), eb('locked_until', '<', nowIso)])])
  const claim = (trx: Db, ids: number[] | RawBuilder<number>) =>
    trx
      .updateTable('raw_messages')
      .set((eb) => ({ status: 'processing', locked_until: lockedUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', ids)
      .where(claimable)
      .returning(SUMMARY_COLUMNS)
      .execute()
      .then((rows) => rows.sort((a, b) => a.id - b.id))

  if (dialect === 'sqlite') {
    // The oldest maxCount of each kind, read in id order from raw_messages_status_idx (status, id) and merged: one
    // OR over both made SQLite collect and sort every pending row per claim (8.6 ms with 6,000 queued, 0.2 ms now).
    // Running total of sizes: the first message always, then only while the batch stays under the byte cap.
    const candidates = sql<number>`(select id from (
        select id, row_number() over (order by id) as n, sum(size_bytes) over (order by id) as running
        from (
          select id, size_bytes from (
            select id, size_bytes from raw_messages where status = 'pending' order by id limit ${opts.maxCount}
          )
          union all
          select id, size_bytes from (
            select id, size_bytes from raw_messages
            where status = 'processing' and locked_until < ${nowIso} order by id limit ${opts.maxCount}
          )
          order by id limit ${opts.maxCount}
        )
      ) c where c.n = 1 or c.running <= ${opts.maxTotalBytes})`
    return relaxedTransaction(store, (trx) => claim(trx, candidates))
  }
  return relaxedTransaction(store, async (trx) => {
    const rows = await trx
      .selectFrom('raw_messages')
      .select(['id', 'size_bytes'])
      .where(claimable)
      .orderBy('id', 'asc')
      .limit(opts.maxCount)
      .forUpdate()
      .skipLocked()
      .execute()
    const ids: number[] = []
    let total = 0
    for (const row of rows) {
      if (ids.length > 0 && total + row.size_bytes > opts.maxTotalBytes) break
      ids.push(row.id)
      total += row.size_bytes
    }
    return ids.length === 0 ? [] : claim(trx, ids)
  })
}

/** A claim a worker made: the message, and its attempts count as that claim set it. */
type Claim = { id: number; attempts: number }

/** Rows still processing under these claims (`attempts` counts claims, so another worker's takeover changes it). */
function stillClaimed(claims: ReadonlyArray<Claim>) {
  return (eb: ExpressionBuilder<Database, 'raw_messages'>) =>
    eb.and([eb('status', '=', 'processing'), eb.or(claims.map((c) => eb.and([eb('id', '=', c.id), eb('attempts', '=', c.attempts)])))])
}

/**
 * Confirms which claims still hold, inside the transaction that will store their messages: the row is still
 * processing under the claim this worker made (`attempts` counts claims, so a takeover by another worker after the
 * lease ran out changes it). The UPDATE also locks the rows on PostgreSQL until that transaction ends, so no other
 * worker can take them over in between. One statement for a whole batch. Answers the ids still held; any other
 * message belongs to another worker now, and this one must leave it alone.
 */
export async function holdRawMessageClaims(db: Db, claims: ReadonlyArray<Claim>): Promise<Set<number>> {
  if (claims.length === 0) return new Set()
  const rows = await db
    .updateTable('raw_messages')
    .set((eb) => ({ attempts: eb.ref('attempts') }))
    .where(stillClaimed(claims))
    .returning('id')
    .execute()
  return new Set(rows.map((r) => Number(r.id)))
}

/**
 * Extends the lease of claims this worker still holds (its heartbeat while a batch is in flight), so only a dead
 * worker's messages are ever taken over; returns how many were extended.
 */
export async function renewRawMessageClaims(db: Db, claims: ReadonlyArray<Claim>, lockedUntil: Date): Promise<number> {
  if (claims.length === 0) return 0
  const result = await db
    .updateTable('raw_messages')
    .set({ locked_until: lockedUntil.toISOString() })
    .where(stillClaimed(claims))
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * The stored bytes as stored (see `encryption`), or the name of the encrypted file a message above 1 MiB was spooled
 * to (raw_file, intake/raw-message-file.ts); both null when the retention policy purged them.
 */
export async function loadRawBytes(db: Db, id: number): Promise<{ raw: Uint8Array | null; raw_file: string | null; encryption: string | null } | undefined> {
  return db.selectFrom('raw_messages').select(['raw', 'raw_file', 'encryption']).where('id', '=', id).executeTakeFirst()
}

export async function markRawMessageDone(
  db: Db,
  id: number,
  outcome: { status: Extract<RawMessageStatus, 'processed' | 'duplicate'>; messageId: number; now: Date },
): Promise<void> {
  await db
    .updateTable('raw_messages')
    .set({
      status: outcome.status,
      message_id: outcome.messageId,
      processed_at: outcome.now.toISOString(),
      locked_until: null,
      error_code: null,
      error_message: null,
    })
    .where('id', '=', id)
    .execute()
}

export async function markRawMessageFailed(
  db: Db,
  id: number,
  failure: { code: string; message: string; now: Date },
): Promise<void> {
  await db
    .updateTable('raw_messages')
    .set({
      status: 'failed',
      locked_until: null,
      error_code: failure.code,
      error_message: failure.message.slice(0, 1000),
      processed_at: failure.now.toISOString(),
    })
    .where('id', '=', id)
    .execute()
}

export async function listRawMessages(
  db: Db,
  query: { status?: RawMessageStatus | undefined; limit: number; offset: number },
): Promise<RawMessageSummary[]> {
  let q = db.selectFrom('raw_messages').select(SUMMARY_COLUMNS)
  if (query.status) q = q.where('status', '=', query.status)
  return q.orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute()
}

export async function findRawMessageSummary(db: Db, id: number): Promise<RawMessageSummary | undefined> {
  return db.selectFrom('raw_messages').select(SUMMARY_COLUMNS).where('id', '=', id).executeTakeFirst()
}

/**
 * Puts failed messages back in the queue: those given, or all but NOT_AN_EMAIL failures; returns their ids, in order.
 */
export async function requeueFailedRawMessages(db: Db, ids?: number[]): Promise<number[]> {
  let q = db
    .updateTable('raw_messages')
    .set({ status: 'pending', attempts: 0, locked_until: null, error_code: null, error_message: null, processed_at: null })
    .where('status', '=', 'failed')
  if (ids) {
    if (ids.length === 0) return []
    q = q.where('id', 'in', ids)
  } else {
    // Bytes that are not an email fail the same way every time: only named on purpose are they tried again.
    q = q.where((eb) => eb.or([eb('error_code', 'is', null), eb('error_code', '!=', 'NOT_AN_EMAIL')]))
  }
  const rows = await q.returning('id').execute()
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b)
}

/** Counts per status, for health and metrics. */
export async function countRawMessagesByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('raw_messages')
    .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('status')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
}

/** Drops the bytes of messages processed before `before` (the retention policy); returns how many. */
export async function purgeRawBytes(db: Db, before: Date): Promise<number> {
  const result = await db
    .updateTable('raw_messages')
    .set({ raw: null })
    .where('status', 'in', ['processed', 'duplicate'])
    .where('raw', 'is not', null)
    .where('processed_at', '<', before.toISOString())
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/**
 * The file half of the retention policy: forgets the files of messages processed before `before` and returns their
 * names, for the caller to delete after this commit (a crash in between leaves an unreferenced file, never a row
 * that names a deleted one).
 */
export async function purgeRawMessageFiles(db: Db, before: Date): Promise<string[]> {
  // RETURNING gives the new value (null), so the names are read first, in the same transaction.
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('raw_messages')
      .select(['id', 'raw_file'])
      .where('status', 'in', ['processed', 'duplicate'])
      .where('raw_file', 'is not', null)
      .where('processed_at', '<', before.toISOString())
      .execute()
    if (rows.length === 0) return []
    await trx
      .updateTable('raw_messages')
      .set({ raw_file: null })
      .where('id', 'in', rows.map((r) => r.id))
      .execute()
    return rows.map((r) => r.raw_file).filter((name): name is string => name !== null)
  })
}
