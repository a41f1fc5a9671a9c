import { createHash } from 'node:crypto'
import type { FetchMessageObject, ImapFlow } from 'imapflow'
import type { Logger } from '../logger.ts'
import type { Db } from '../store/database.ts'
import type { ImapMailboxConfig } from './imap-config.ts'
import {
  findFetchedImapMessages,
  findHighestRawMessageId,
  findImapMailboxByName,
  findSpooledImapRawMessage,
  insertImapFetchIntents,
  markImapMessagesSpooled,
  upsertImapMailbox,
  type FetchIntent,
} from './imap-mailbox.repository.ts'
import type { RawMessageSpool } from './raw-message-spool.ts'

export interface SyncContext {
  /** Connected, with the mailbox's folder selected. */
  client: ImapFlow
  db: Db
  spool: RawMessageSpool
  mailbox: ImapMailboxConfig
  maxMessageBytes: number
  batchSize: number
  /** A batch's messages are held in memory together: stop adding at this many bytes (one always goes). */
  maxBatchBytes: number
  now: () => Date
  log: Logger
  /** A graceful stop: checked between batches, the sync returns after the batch in flight. */
  isStopping: () => boolean
  /** A hard stop (tests use it to play a crash): checked between steps, nothing more is written. */
  isAborted: () => boolean
  /** Renews this process's lease on the mailbox before each batch; throws when another process took it. */
  renewLease: () => Promise<void>
}

export interface SyncResult {
  spooled: number
  /** Fetched again but already spooled before (a re-sync after UIDVALIDITY changed, or a crash). */
  alreadySpooled: number
  /** Over the size limit: left on the server untouched, logged. */
  skippedTooLarge: number
  /** Messages still waiting on the server when the sync stopped (0 after a complete sync). */
  backlog: number
}

/** Thrown between steps when the intake was aborted mid-sync. */
export class SyncAbortedError extends Error {
  constructor() {
    super('imap sync aborted')
  }
}

/** Splits the listing into batches of at most `maxCount` messages and `maxBytes` (a larger message goes alone). */
export function batchesOf<T extends { size?: number | undefined }>(items: readonly T[], maxCount: number, maxBytes: number): T[][] {
  const batches: T[][] = []
  let current: T[] = []
  let bytes = 0
  for (const item of items) {
    const size = item.size ?? 0
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      batches.push(current)
      current = []
      bytes = 0
    }
    current.push(item)
    bytes += size
  }
  if (current.length > 0) batches.push(current)
  return batches
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

async function applyAfterFetch(ctx: SyncContext, uids: number[]): Promise<void> {
  if (uids.length === 0) return
  const range = uids.join(',')
  const after = ctx.mailbox.afterFetch
  if (after.action === 'seen') await ctx.client.messageFlagsAdd(range, ['\\Seen'], { uid: true })
  else if (after.action === 'move') await ctx.client.messageMove(range, after.folder, { uid: true })
  else await ctx.client.messageDelete(range, { uid: true })
}

/** Reads where the mailbox stands; a UIDVALIDITY change (or none recorded) starts over from UID 1. */
async function loadPosition(ctx: SyncContext, uidValidity: string): Promise<number> {
  const { db, mailbox } = ctx
  const state = await findImapMailboxByName(db, mailbox.name)
  if (state && state.uid_validity === uidValidity) return Number(state.last_uid)
  if (state?.uid_validity) {
    // Every UID was reassigned (the folder was recreated or restored). Fetch everything again; the digest
    // table keeps what was already spooled from being spooled twice.
    ctx.log.warn({ previous: state.uid_validity, current: uidValidity }, 'imap uidvalidity changed; re-syncing the folder')
  }
  await upsertImapMailbox(db, mailbox.name, { uid_validity: uidValidity, last_uid: 0, updated_at: ctx.now().toISOString() })
  return 0
}

/**
 * Spools every message of the selected folder that is newer than the recorded position, oldest first,
 * in batches: fetch, record intents, spool (resolves after the commit), mark spooled, then — and only
 * then — mark seen, move or delete on the server, then advance the position.
 * @throws SyncAbortedError when aborted; IMAP and database errors as they come.
 */
export async function syncSelectedMailbox(ctx: SyncContext): Promise<SyncResult> {
  const { client, db, mailbox } = ctx
  const box = client.mailbox
  if (!box) throw new Error('no folder is selected')
  const uidValidity = String(box.uidValidity)
  const lastUid = await loadPosition(ctx, uidValidity)
  const result: SyncResult = { spooled: 0, alreadySpooled: 0, skippedTooLarge: 0, backlog: 0 }
  if (box.exists === 0) {
    await upsertImapMailbox(db, mailbox.name, { backlog: 0, updated_at: ctx.now().toISOString() })
    return result
  }
  // "N:*" always includes the newest message even when its UID is below N, hence the filter.
  const listed = await client.fetchAll(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true })
  const pending = listed.filter((m) => m.uid > lastUid).sort((a, b) => a.uid - b.uid)
  result.backlog = pending.length
  await upsertImapMailbox(db, mailbox.name, { backlog: pending.length, updated_at: ctx.now().toISOString() })

  let done = 0
  for (const chunk of batchesOf(pending, ctx.batchSize, ctx.maxBatchBytes)) {
    if (ctx.isAborted()) throw new SyncAbortedError()
    if (ctx.isStopping()) break
    await ctx.renewLease()
    const tooLarge = chunk.filter((m) => (m.size ?? 0) > ctx.maxMessageBytes)
    const wanted = chunk.filter((m) => (m.size ?? 0) <= ctx.maxMessageBytes).map((m) => m.uid)
    // At most one byte over the limit is asked for, so a server that under-reports a size cannot make us hold more.
    const source = { maxLength: ctx.maxMessageBytes + 1 }
    const fetched: FetchMessageObject[] = wanted.length > 0 ? await client.fetchAll(wanted.join(','), { uid: true, source }, { uid: true }) : []
    fetched.sort((a, b) => a.uid - b.uid)
    for (const m of tooLarge) ctx.log.warn({ uid: m.uid, sizeBytes: m.size, limitBytes: ctx.maxMessageBytes }, 'imap message over the size limit left on the server')
    for (const m of fetched) {
      if (!m.source || m.source.length <= ctx.maxMessageBytes) continue
      const listedEntry = chunk.find((c) => c.uid === m.uid)
      ctx.log.warn({ uid: m.uid, reportedBytes: listedEntry?.size, limitBytes: ctx.maxMessageBytes }, 'imap message over the size limit (larger than the server said) left on the server')
      if (listedEntry) tooLarge.push(listedEntry)
    }
    const messages = fetched.flatMap((m) => (m.source && m.source.length <= ctx.maxMessageBytes ? [{ uid: m.uid, raw: m.source, sha256: sha256(m.source) }] : []))

    const known = new Map((await findFetchedImapMessages(db, mailbox.name, [...new Set(messages.map((m) => m.sha256))])).map((r) => [r.sha256, r]))
    const intents: FetchIntent[] = []
    const toSpool: typeof messages = []
    const recovered: Array<{ sha256: string; rawMessageId: number }> = []
    const seenInBatch = new Set<string>()
    for (const m of messages) {
      if (seenInBatch.has(m.sha256)) continue // the same bytes twice in one folder: one message
      seenInBatch.add(m.sha256)
      const row = known.get(m.sha256)
      if (row?.raw_message_id != null) {
        result.alreadySpooled++
        continue
      }
      if (row) {
        // An earlier run recorded the intent and was cut off: did its spool write commit?
        const rawMessageId = await findSpooledImapRawMessage(db, m.sha256, row.spool_floor_id)
        if (rawMessageId !== undefined) {
          recovered.push({ sha256: m.sha256, rawMessageId })
          result.alreadySpooled++
          continue
        }
      } else {
        intents.push({ sha256: m.sha256, uidValidity, uid: m.uid })
      }
      toSpool.push(m)
    }
    const floorId = await findHighestRawMessageId(db)
    await insertImapFetchIntents(db, mailbox.name, intents, floorId, ctx.now())
    // Queued together, committed together (the spool group-commits), in UID order.
    const spooled = await Promise.all(
      toSpool.map(async (m) => ({
        sha256: m.sha256,
        rawMessageId: await ctx.spool.spool({ raw: m.raw, source: 'imap', rcptTo: [mailbox.address] }),
      })),
    )
    if (ctx.isAborted()) throw new SyncAbortedError()
    await markImapMessagesSpooled(db, mailbox.name, [...recovered, ...spooled])
    result.spooled += toSpool.length

    // Only now that every message of the batch is committed here may the server forget about them.
    if (ctx.isAborted()) throw new SyncAbortedError()
    await applyAfterFetch(ctx, chunk.map((m) => m.uid).filter((uid) => !tooLarge.some((t) => t.uid === uid)))
    result.skippedTooLarge += tooLarge.length
    const position = chunk[chunk.length - 1]?.uid ?? lastUid
    done += chunk.length
    result.backlog = pending.length - done
    await upsertImapMailbox(db, mailbox.name, { last_uid: position, backlog: result.backlog, updated_at: ctx.now().toISOString() })
    if (toSpool.length > 0) ctx.log.info({ spooled: toSpool.length, lastUid: position, backlog: result.backlog }, 'imap messages spooled')
  }
  return result
}
