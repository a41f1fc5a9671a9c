import type { PortalSessionRow } from '../public/public.tables.ts'
import type { Db } from '../store/database.ts'

export async function insertPortalLink(
  db: Db,
  row: { tokenHash: string; ticketId: number; customerId: number; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('portal_links')
    .values({
      token_hash: row.tokenHash,
      ticket_id: row.ticketId,
      customer_id: row.customerId,
      created_at: row.now.toISOString(),
      expires_at: row.expiresAt.toISOString(),
      used_at: null,
    })
    .execute()
}

/** True when the link exists, is unused and unexpired; it is not consumed. */
export async function isPortalLinkUsable(db: Db, tokenHash: string, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('portal_links')
    .select('id')
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Marks the link used and returns whom it was for, in one conditional UPDATE: of two concurrent uses,
 * exactly one wins, on SQLite and PostgreSQL alike.
 */
export async function consumePortalLink(db: Db, tokenHash: string, now: Date): Promise<{ ticketId: number; customerId: number } | undefined> {
  const row = await db
    .updateTable('portal_links')
    .set({ used_at: now.toISOString() })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .returning(['ticket_id', 'customer_id'])
    .executeTakeFirst()
  return row ? { ticketId: row.ticket_id, customerId: row.customer_id } : undefined
}

export async function insertPortalSession(
  db: Db,
  row: { tokenHash: string; ticketId: number; customerId: number; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('portal_sessions')
    .values({
      token_hash: row.tokenHash,
      ticket_id: row.ticketId,
      customer_id: row.customerId,
      created_at: row.now.toISOString(),
      expires_at: row.expiresAt.toISOString(),
    })
    .execute()
}

export async function findLivePortalSession(db: Db, tokenHash: string, now: Date): Promise<PortalSessionRow | undefined> {
  return db
    .selectFrom('portal_sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst()
}
