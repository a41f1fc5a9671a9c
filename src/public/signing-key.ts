import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Db } from '../store/database.ts'

/**
 * The HMAC key for one purpose (form tokens, survey links), created on first use and shared through the
 * database, so every process of one installation accepts what another signed.
 */
export async function getSigningKey(db: Db, purpose: string, now: Date = new Date()): Promise<Buffer> {
  const existing = await db.selectFrom('public_signing_keys').select('key_hex').where('purpose', '=', purpose).executeTakeFirst()
  if (existing) return Buffer.from(existing.key_hex, 'hex')
  await db
    .insertInto('public_signing_keys')
    .values({ purpose, key_hex: randomBytes(32).toString('hex'), created_at: now.toISOString() })
    .onConflict((oc) => oc.column('purpose').doNothing())
    .execute()
  // Re-read: when two processes raced, the row that won is the key for everyone.
  const row = await db.selectFrom('public_signing_keys').select('key_hex').where('purpose', '=', purpose).executeTakeFirstOrThrow()
  return Buffer.from(row.key_hex, 'hex')
}

/** base64url HMAC-SHA256 of `payload`. */
export function signPayload(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url')
}

/** Constant-time check of a signature made by signPayload. */
export function isValidSignature(key: Buffer, payload: string, signature: string): boolean {
  return sameSecret(signPayload(key, payload), signature)
}

/**
 * Whether two secrets (tokens, signatures, MACs) are equal, in time that depends on neither: their SHA-256 digests,
 * of one length whatever theirs, are compared with timingSafeEqual. The one comparison of secrets in the project.
 */
export function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(a), digest(b))
}

/** A fresh random secret for links and sessions (256 bits, base64url). */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url')
}

/** What is stored instead of a secret token. */
export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
