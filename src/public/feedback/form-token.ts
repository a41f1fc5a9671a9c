import { createHash, randomBytes } from 'node:crypto'
import { isValidSignature, signPayload } from '../signing-key.ts'

// The form carries a signed timestamp. A bot that posts straight away is "too fast"; a token older than
// the window is stale; a forged or edited one is invalid. No third-party CAPTCHA is involved.

export interface FormTokenPolicy {
  /** Faster than this after the page was served is not a person typing. */
  minAgeMs: number
  /** Older than this and the visitor must reload. */
  maxAgeMs: number
}

export const DEFAULT_FORM_TOKEN_POLICY: FormTokenPolicy = { minAgeMs: 3000, maxAgeMs: 2 * 60 * 60_000 } // 3 s, 2 h

/** `<issuedAtMs>.<nonce>.<signature>`. */
export function issueFormToken(key: Buffer, form: string, now: Date): string {
  const payload = `${now.getTime()}.${randomBytes(9).toString('base64url')}`
  return `${payload}.${signPayload(key, `${form}:${payload}`)}`
}

export type FormTokenCheck = 'ok' | 'too_fast' | 'expired' | 'invalid'

/** Checks the signature first, then the age. */
export function checkFormToken(key: Buffer, form: string, token: string, now: Date, policy: FormTokenPolicy): FormTokenCheck {
  const match = /^(\d{1,15})\.([\w-]{12})\.([\w-]{43})$/.exec(token)
  if (!match?.[1] || !match[2] || !match[3]) return 'invalid'
  if (!isValidSignature(key, `${form}:${match[1]}.${match[2]}`, match[3])) return 'invalid'
  const age = now.getTime() - Number(match[1])
  if (age < policy.minAgeMs) return 'too_fast'
  if (age > policy.maxAgeMs) return 'expired'
  return 'ok'
}

function leadingZeroBits(digest: Buffer): number {
  let bits = 0
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8
      continue
    }
    return bits + Math.clz32(byte) - 24
  }
  return bits
}

/** Hashcash: SHA-256("<token>:<nonce>") must start with `bits` zero bits. One hash to check, ~2^bits to find. */
export function isValidProofOfWork(token: string, nonce: string, bits: number): boolean {
  if (!/^\d{1,12}$/.test(nonce)) return false
  return leadingZeroBits(createHash('sha256').update(`${token}:${nonce}`).digest()) >= bits
}

/** Finds a nonce the way the page's script does; for tests and non-browser clients. */
export function solveProofOfWork(token: string, bits: number): string {
  for (let nonce = 0; ; nonce++) if (isValidProofOfWork(token, String(nonce), bits)) return String(nonce)
}
