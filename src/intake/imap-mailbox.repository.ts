import type { Db } from '../store/database.ts'
import type { ImapFetchedMessageRow, ImapMailboxRow, ImapMailboxUpdate } from './imap-mailbox.table.ts'

/** The mailbox's state; undefined before its first connection. */
export async function findImapMailboxByName(db: Db, name: string): Promise<ImapMailboxRow | undefined> {
  return db.selectFrom('imap_mailboxes').where('name', '=', name).selectAll().executeTakeFirst()
}

export async function listImapMailboxes(db: Db): Promise<ImapMailboxRow[]> {
  return db.selectFrom('imap_mailboxes').selectAll().orderBy('name').execute()
}

/** Creates the row on first use, then applies the update. */
export async function upsertImapMailbox(db: Db, name: string, update: ImapMailboxUpdate & { updated_at: string }): Promise<void> {
  await db
    .insertInto('imap_mailboxes')
    .values({ name, uid_validity: null, last_success_at: null, last_error_at: null, last_error_code: null, last_error_message: null, failing_since: null, ...update })
    .onConflict((oc) => oc.column('name').doUpdateSet(update))
    .execute()
}

/** Records a failure; failing_since keeps the time of the first failure in a row. */
export async function recordImapMailboxFailure(
  db: Db,
  name: string,
  failure: { code: string; message: string; now: Date },
): Promise<ImapMailboxRow> {
  const at = failure.now.toISOString()
  return db.transaction().execute(async (trx) => {
    const current = await findImapMailboxByName(trx, name)
    await upsertImapMailbox(trx, name, {
      last_error_at: at,
      last_error_code: failure.code,
      last_error_message: failure.message.slice(0, 1000),
      failing_since: current?.failing_since ?? at,
      updated_at: at,
    })
    const row = await findImapMailboxByName(trx, name)
    if (!row) throw new Error(`imap mailbox ${name} vanished while recording a failure`)
    return row
  })
}

/** The digests already fetched from a mailbox, among those given. */
export async function findFetchedImapMessages(db: Db, mailbox: string, sha256s: string[]): Promise<ImapFetchedMessageRow[]> {
  if (sha256s.length === 0) return []
  return db.selectFrom('imap_fetched_messages').where('mailbox', '=', mailbox).where('sha256', 'in', sha256s).selectAll().execute()
}

/** The highest raw_messages id so far (0 when there is none). */
export async function findHighestRawMessageId(db: Db): Promise<number> {
  const row = await db.selectFrom('raw_messages').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst()
  return Number(row?.id ?? 0)
}

/**
 * Finds the raw message an interrupted spool write may have committed: same bytes, from IMAP, newer than
 * the floor recorded before the write. Walks the primary key from the floor, so it stays cheap.
 */
export async function findSpooledImapRawMessage(db: Db, sha256: string, floorId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('raw_messages')
    .where('id', '>', floorId)
    .where('source', '=', 'imap')
    .where('sha256', '=', sha256)
    .select('id')
    .orderBy('id')
    .executeTakeFirst()
  return row?.id
}

export interface FetchIntent {
  sha256: string
  uidValidity: string
  uid: number
}

/** Records that these messages are about to be spooled (raw_message_id still null). */
export async function insertImapFetchIntents(db: Db, mailbox: string, intents: FetchIntent[], floorId: number, now: Date): Promise<void> {
  if (intents.length === 0) return
  await db
    .insertInto('imap_fetched_messages')
    .values(
      intents.map((i) => ({
        mailbox,
        sha256: i.sha256,
        uid_validity: i.uidValidity,
        uid: i.uid,
        raw_message_id: null,
        spool_floor_id: floorId,
        created_at: now.toISOString(),
      })),
    )
    .execute()
}

/** Marks fetched messages as spooled, under the raw_messages ids the spool returned. */
export async function markImapMessagesSpooled(db: Db, mailbox: string, spooled: Array<{ sha256: string; rawMessageId: number }>): Promise<void> {
  if (spooled.length === 0) return
  await db.transaction().execute(async (trx) => {
    for (const s of spooled) {
      await trx
        .updateTable('imap_fetched_messages')
        .set({ raw_message_id: s.rawMessageId })
        .where('mailbox', '=', mailbox)
        .where('sha256', '=', s.sha256)
        .execute()
    }
  })
}

/**
 * Takes or renews the lease on a mailbox for `owner`: succeeds when nobody holds it, `owner` already
 * does, or the holder's lease ran out. One UPDATE, so two processes can never both succeed.
 */
export async function acquireImapMailboxLease(db: Db, name: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
  const at = now.toISOString()
  await db
    .insertInto('imap_mailboxes')
    .values({ name, uid_validity: null, last_success_at: null, last_error_at: null, last_error_code: null, last_error_message: null, failing_since: null, updated_at: at })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  const result = await db
    .updateTable('imap_mailboxes')
    .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('lease_until', '<', at)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Gives the lease up (on a clean stop), so another process can take over at once. */
export async function releaseImapMailboxLease(db: Db, name: string, owner: string): Promise<void> {
  await db.updateTable('imap_mailboxes').set({ lease_owner: null, lease_until: null }).where('name', '=', name).where('lease_owner', '=', owner).execute()
}
