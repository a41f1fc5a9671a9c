import { randomInt } from 'node:crypto'

// Crockford's base32 without I, L, O and U: nothing a customer can misread or mistype (0/O, 1/I/L).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** A new per-message verification code `XXXX-XXXX` (40 random bits). */
export function generateVerificationCode(): string {
  let out = ''
  for (let i = 0; i < 8; i++) out += ALPHABET[randomInt(ALPHABET.length)]
  return `${out.slice(0, 4)}-${out.slice(4)}`
}

/** A code as a customer typed it (any case, spaces, no dash, o for 0, i/l for 1) → `XXXX-XXXX`; undefined if it cannot be one. */
export function normalizeVerificationCode(input: string): string | undefined {
  const compact = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
  if (!/^[0-9A-HJKMNP-TV-Z]{8}$/.test(compact)) return undefined
  return `${compact.slice(0, 4)}-${compact.slice(4)}`
}

/** `john@example.com` → `j***@example.com`: enough for a customer to recognise, too little to harvest. */
export function maskEmailAddress(address: string): string {
  const at = address.lastIndexOf('@')
  if (at <= 0) return '***'
  return `${address.slice(0, 1)}***${address.slice(at).toLowerCase()}`
}
