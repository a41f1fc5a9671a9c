import { createHmac, randomBytes } from 'node:crypto'
import { sameSecret } from '../public/signing-key.ts'
import { formatTicketNumber, parseTicketNumber } from '../tickets/ticket-number.ts'

// Our Message-IDs name their ticket and carry an HMAC, so a reply threads by In-Reply-To while a forged
// "<42.x.y@okpay.com>" from a phisher is recognised as not ours. Hex only: some systems lowercase Message-IDs.
const RANDOM_HEX = 16 // 64 bits: unique per message
const MAC_HEX = 24 // 96 bits: forging one needs the secret key
const MARKER_MAC_HEX = 12

function mac(secret: Buffer, purpose: string, value: string, hexChars: number): string {
  return createHmac('sha256', secret).update(`${purpose}:${value}`).digest('hex').slice(0, hexChars)
}

/** A new Message-ID `<ticketId.random.HMAC@domain>` for a message about this ticket. */
export function createOwnMessageId(ticketId: number, domain: string, secret: Buffer): string {
  const local = `${ticketId}.${randomBytes(RANDOM_HEX / 2).toString('hex')}`
  return `<${local}.${mac(secret, 'message-id', local, MAC_HEX)}@${domain}>`
}

/** The ticket of one of our own Message-IDs (with or without angle brackets); undefined for anything else, forged ones included. */
export function parseOwnMessageId(id: string, secret: Buffer): { ticketId: number } | undefined {
  const match = /^<?(\d{1,15})\.([0-9a-f]{16})\.([0-9a-f]{24})@[^<>\s@]+>?$/i.exec(id.trim())
  if (!match?.[1] || !match[2] || !match[3]) return undefined
  const local = `${match[1]}.${match[2].toLowerCase()}`
  if (!sameSecret(mac(secret, 'message-id', local, MAC_HEX), match[3].toLowerCase())) return undefined
  const ticketId = Number(match[1])
  return Number.isSafeInteger(ticketId) && ticketId > 0 ? { ticketId } : undefined
}

/** The body marker of a ticket, `OKP-1042-<hmac>`; it survives providers that rewrite Message-IDs. */
export function createOwnMarker(prefix: string, ticketId: number, secret: Buffer): string {
  const number = formatTicketNumber(prefix, ticketId)
  return `${number}-${mac(secret, 'marker', number.toUpperCase(), MARKER_MAC_HEX)}`
}

/**
 * The ticket named by a genuine marker (`Ref: OKP-1042-<hmac>`) in a text or HTML body, e.g. in the quoted part of a
 * reply; markers with a wrong HMAC are ignored. The last genuine marker wins (quotes usually hold the newest).
 */
export function findOwnMarker(body: string, secret: Buffer): { ticketId: number } | undefined {
  let found: { ticketId: number } | undefined
  for (const match of body.matchAll(/\bRef:\s*(?:<[^>]*>\s*)*([A-Z]{2,8})-(\d{1,15})-([0-9a-f]{12})\b/gi)) {
    const [, prefix, digits, code] = match
    if (!prefix || !digits || !code) continue
    const number = `${prefix.toUpperCase()}-${digits}`
    if (!sameSecret(mac(secret, 'marker', number, MARKER_MAC_HEX), code.toLowerCase())) continue
    const ticketId = parseTicketNumber(prefix.toUpperCase(), number)
    if (ticketId !== undefined) found = { ticketId }
  }
  return found
}
