import type { Db } from '../store/database.ts'
import type { NewOutboundMessageRow, OutboundKind, OutboundMessageRow, OutboundMessageUpdate } from './outbound-message.table.ts'

export async function insertOutboundMessage(db: Db, row: NewOutboundMessageRow): Promise<OutboundMessageRow> {
  return db.insertInto('outbound_messages').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function updateOutboundMessage(db: Db, id: number, update: OutboundMessageUpdate): Promise<void> {
  await db.updateTable('outbound_messages').set(update).where('id', '=', id).execute()
}

export async function findOutboundMessageById(db: Db, id: number): Promise<OutboundMessageRow | undefined> {
  return db.selectFrom('outbound_messages').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Our sent messages among these Message-IDs (a DSN names the one that bounced). */
export async function findOutboundMessageAmong(db: Db, messageIds: string[]): Promise<OutboundMessageRow | undefined> {
  if (messageIds.length === 0) return undefined
  return db.selectFrom('outbound_messages').selectAll().where('message_id_header', 'in', messageIds).orderBy('id', 'desc').limit(1).executeTakeFirst()
}

/** What the public verifier may reveal about a code: never the body or the full recipient. */
export async function findOutboundSummaryByVerificationCode(
  db: Db,
  code: string,
): Promise<{ id: number; ticket_id: number; subject: string; to_address: string; created_at: string; sent_at: string | null } | undefined> {
  return db
    .selectFrom('outbound_messages')
    .select(['id', 'ticket_id', 'subject', 'to_address', 'created_at', 'sent_at'])
    .where('verification_code', '=', code)
    .executeTakeFirst()
}


/** How many messages of these kinds went to an address since a moment (the automatic-mail limit). */
export async function countOutboundToAddressSince(db: Db, toAddress: string, kinds: OutboundKind[], since: Date): Promise<number> {
  const row = await db
    .selectFrom('outbound_messages')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('to_address', '=', toAddress.toLowerCase())
    .where('kind', 'in', kinds)
    .where('created_at', '>', since.toISOString())
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function hasOutboundOfKind(db: Db, ticketId: number, kind: OutboundKind): Promise<boolean> {
  const row = await db.selectFrom('outbound_messages').select('id').where('ticket_id', '=', ticketId).where('kind', '=', kind).limit(1).executeTakeFirst()
  return row !== undefined
}

/** Messages still to send: failed ones, and queued ones whose process stopped before sending (untouched since `queuedBefore`). */
export async function listUnsentOutbound(db: Db, queuedBefore: Date, limit: number): Promise<OutboundMessageRow[]> {
  return db
    .selectFrom('outbound_messages')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('status', '=', 'failed'),
        eb.and([eb('status', '=', 'queued'), eb(eb.fn.coalesce('last_attempt_at', 'created_at'), '<', queuedBefore.toISOString())]),
      ]),
    )
    .orderBy('id', 'asc')
    .limit(limit)
    .execute()
}

/**
 * Claims a row for one sending attempt: only the process whose update matched the row as it was read sends it,
 * so two workers retrying at once never send the same message twice. The claim moves last_attempt_at, which is
 * what tells a queued row's claimers apart (its status stays 'queued' and its attempts count only after the send).
 */
export async function claimOutboundForSending(
  db: Db,
  row: Pick<OutboundMessageRow, 'id' | 'status' | 'attempts' | 'last_attempt_at'>,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('outbound_messages')
    .set({ status: 'queued', last_attempt_at: now.toISOString() })
    .where('id', '=', row.id)
    .where('status', '=', row.status)
    .where('attempts', '=', row.attempts)
    .where((eb) => (row.last_attempt_at === null ? eb('last_attempt_at', 'is', null) : eb('last_attempt_at', '=', row.last_attempt_at)))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** `ticketId:kind` of the messages of these kinds that these tickets already have. */
export async function listOutboundKindsOfTickets(db: Db, ticketIds: number[], kinds: OutboundKind[]): Promise<Set<string>> {
  if (ticketIds.length === 0 || kinds.length === 0) return new Set()
  const rows = await db.selectFrom('outbound_messages').select(['ticket_id', 'kind']).distinct().where('ticket_id', 'in', ticketIds).where('kind', 'in', kinds).execute()
  return new Set(rows.map((r) => `${r.ticket_id}:${r.kind}`))
}

/** countOutboundToAddressSince for several (lowercased) addresses at once; addresses with none are absent. */
export async function countOutboundToAddressesSince(db: Db, toAddresses: string[], kinds: OutboundKind[], since: Date): Promise<Map<string, number>> {
  if (toAddresses.length === 0) return new Map()
  const rows = await db
    .selectFrom('outbound_messages')
    .select(['to_address', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('to_address', 'in', toAddresses)
    .where('kind', 'in', kinds)
    .where('created_at', '>', since.toISOString())
    .groupBy('to_address')
    .execute()
  return new Map(rows.map((r) => [r.to_address, Number(r.n)]))
}

/** The verification codes among these that are already printed on a message. */
export async function listTakenVerificationCodes(db: Db, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set()
  const rows = await db.selectFrom('outbound_messages').select('verification_code').where('verification_code', 'in', codes).execute()
  return new Set(rows.map((r) => r.verification_code))
}

/**
 * Inserts queued messages in one statement and returns those stored. A row that would break a unique index (a
 * second acknowledgement of a ticket, a verification code or Message-ID already used) is left out instead of failing
 * the statement, which on PostgreSQL would abort the whole transaction; the caller finds out which it was.
 */
export async function insertOutboundMessagesUnlessTaken(db: Db, rows: NewOutboundMessageRow[]): Promise<OutboundMessageRow[]> {
  if (rows.length === 0) return []
  return db
    .insertInto('outbound_messages')
    .values(rows)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .execute()
}
