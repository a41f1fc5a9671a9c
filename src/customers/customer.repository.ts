import type { Db } from '../store/database.ts'
import type { CustomerRow } from './customer.table.ts'

export async function findCustomerByEmail(db: Db, email: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst()
}

export async function findCustomerById(db: Db, id: number): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Returns the customer with this address, creating it first if needed (safe under concurrent inserts). */
export async function upsertCustomerByEmail(
  db: Db,
  email: string,
  displayName: string | null,
  now: Date,
): Promise<CustomerRow> {
  const normalized = email.toLowerCase()
  await db
    .insertInto('customers')
    .values({ email: normalized, display_name: displayName, language: null, created_at: now.toISOString(), updated_at: now.toISOString() })
    .onConflict((oc) => oc.column('email').doNothing())
    .execute()
  const row = await findCustomerByEmail(db, normalized)
  if (!row) throw new Error('customer upsert returned no row')
  return row
}

export async function setCustomerLanguage(db: Db, id: number, language: string, now: Date): Promise<void> {
  await db.updateTable('customers').set({ language, updated_at: now.toISOString() }).where('id', '=', id).execute()
}

/** The customers with these ids, in one query. */
export async function findCustomersByIds(db: Db, ids: number[]): Promise<CustomerRow[]> {
  if (ids.length === 0) return []
  return db.selectFrom('customers').selectAll().where('id', 'in', ids).execute()
}
