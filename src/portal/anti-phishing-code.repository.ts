import type { Db } from '../store/database.ts'

// The portal's side of the anti-phishing code (table anti_phishing_codes, migration 0050). Outbound mail
// prints the code; src/notify reads the same table.

/** The code as it will be printed, or undefined: 4–32 letters (any script), digits, punctuation, symbols, inner spaces. */
export function normalizeAntiPhishingCode(input: string): string | undefined {
  const code = input.trim()
  const length = [...code].length
  if (length < 4 || length > 32) return undefined
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]+$/u.test(code) ? code : undefined
}

export async function findAntiPhishingCodeOfCustomer(db: Db, customerId: number): Promise<string | undefined> {
  const row = await db.selectFrom('anti_phishing_codes').select('code').where('customer_id', '=', customerId).executeTakeFirst()
  return row?.code
}

export async function saveAntiPhishingCode(db: Db, customerId: number, code: string, now: Date): Promise<void> {
  await db
    .insertInto('anti_phishing_codes')
    .values({ customer_id: customerId, code, updated_at: now.toISOString() })
    .onConflict((oc) => oc.column('customer_id').doUpdateSet({ code, updated_at: now.toISOString() }))
    .execute()
}
