import { findCustomerByEmail, upsertCustomerByEmail } from '../customers/customer.repository.ts'
import { InvalidInputError } from '../errors.ts'
import type { Db } from '../store/database.ts'

const MIN_CHARS = 4
const MAX_CHARS = 32

/**
 * The code as it will be printed, or an error: 4–32 printable characters (letters of any script, digits,
 * punctuation, symbols, inner spaces); no control characters, nothing that could break a header or a line.
 * @throws InvalidInputError saying what is accepted (the value itself is never echoed: it is a secret of sorts).
 */
export function validateAntiPhishingCode(input: string): string {
  const code = input.trim()
  const length = [...code].length
  if (length < MIN_CHARS || length > MAX_CHARS) {
    throw new InvalidInputError(`the anti-phishing code must be ${MIN_CHARS} to ${MAX_CHARS} characters (got ${length})`, 'code')
  }
  if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]+$/u.test(code)) {
    throw new InvalidInputError('the anti-phishing code may hold letters, digits, punctuation, symbols and spaces only', 'code')
  }
  return code
}

/**
 * Sets the code printed at the top of every genuine email to this customer (creating the customer if new).
 * @throws InvalidInputError when the code is not 4–32 printable characters.
 */
export async function setAntiPhishingCode(db: Db, email: string, code: string, now: Date = new Date()): Promise<void> {
  const value = validateAntiPhishingCode(code)
  const customer = await upsertCustomerByEmail(db, email, null, now)
  await db
    .insertInto('anti_phishing_codes')
    .values({ customer_id: customer.id, code: value, updated_at: now.toISOString() })
    .onConflict((oc) => oc.column('customer_id').doUpdateSet({ code: value, updated_at: now.toISOString() }))
    .execute()
}

/** Removes a customer's code; mail no longer carries one. */
export async function clearAntiPhishingCode(db: Db, customerId: number): Promise<void> {
  await db.deleteFrom('anti_phishing_codes').where('customer_id', '=', customerId).execute()
}

/** Removes the code of the customer with this address, if any (idempotent). */
export async function clearAntiPhishingCodeByEmail(db: Db, email: string): Promise<void> {
  const customer = await findCustomerByEmail(db, email)
  if (customer) await clearAntiPhishingCode(db, customer.id)
}

export async function findAntiPhishingCode(db: Db, customerId: number): Promise<string | undefined> {
  const row = await db.selectFrom('anti_phishing_codes').select('code').where('customer_id', '=', customerId).executeTakeFirst()
  return row?.code
}
