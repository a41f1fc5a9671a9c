import type { Brand, Language } from '../brand.ts'
import { findCustomerById } from '../customers/customer.repository.ts'
import type { RawMessageSpool } from '../intake/raw-message-spool.ts'
import { composeCustomerMessage, type CustomerUpload } from '../public/compose-customer-message.ts'
import { hashSecretToken, newSecretToken } from '../public/signing-key.ts'
import type { Db } from '../store/database.ts'
import { insertTicketEvent } from '../tickets/ticket-event.repository.ts'
import { listMessagesOfTicket } from '../tickets/ticket-message.repository.ts'
import { parseTicketNumber, formatTicketNumber } from '../tickets/ticket-number.ts'
import { findTicketById, updateTicket } from '../tickets/ticket.repository.ts'
import {
  consumePortalLink,
  findLivePortalSession,
  insertPortalLink,
  insertPortalSession,
  isPortalLinkUsable,
} from './portal-access.repository.ts'

export interface PortalAccess {
  ticketId: number
  customerId: number
}

/**
 * A one-time link for the ticket when the number and the address match, else undefined. The caller
 * answers both cases alike; only the SHA-256 of the returned token is stored.
 */
export async function createPortalLinkIfMatching(
  db: Db,
  brand: Brand,
  input: { ticketNumber: string; email: string; now: Date; ttlMs: number },
): Promise<{ token: string; ticketId: number; customerId: number; email: string } | undefined> {
  const ticketId = parseTicketNumber(brand.ticketPrefix, input.ticketNumber)
  if (ticketId === undefined) return undefined
  const ticket = await findTicketById(db, ticketId)
  if (!ticket) return undefined
  const customer = await findCustomerById(db, ticket.customer_id)
  if (!customer || customer.email !== input.email.trim().toLowerCase()) return undefined
  const token = newSecretToken()
  await insertPortalLink(db, {
    tokenHash: hashSecretToken(token),
    ticketId,
    customerId: customer.id,
    now: input.now,
    expiresAt: new Date(input.now.getTime() + input.ttlMs),
  })
  return { token, ticketId, customerId: customer.id, email: customer.email }
}

/** Whether a link can still be used (for the confirmation page; does not consume it). */
export async function isPortalLinkValid(db: Db, token: string, now: Date): Promise<boolean> {
  return /^[\w-]{43}$/.test(token) && isPortalLinkUsable(db, hashSecretToken(token), now)
}

/** Consumes a one-time link and opens a session for its ticket; undefined for used, expired or unknown links. */
export async function exchangePortalLink(
  db: Db,
  token: string,
  now: Date,
  sessionTtlMs: number,
): Promise<{ sessionToken: string; access: PortalAccess } | undefined> {
  if (!/^[\w-]{43}$/.test(token)) return undefined
  const access = await consumePortalLink(db, hashSecretToken(token), now)
  if (!access) return undefined
  const sessionToken = newSecretToken()
  await insertPortalSession(db, { tokenHash: hashSecretToken(sessionToken), ...access, now, expiresAt: new Date(now.getTime() + sessionTtlMs) })
  await insertTicketEvent(db, { ticketId: access.ticketId, type: 'portal_opened', actor: 'customer', now })
  return { sessionToken, access }
}

export async function findPortalAccess(db: Db, sessionToken: string | undefined, now: Date): Promise<PortalAccess | undefined> {
  if (!sessionToken || !/^[\w-]{43}$/.test(sessionToken)) return undefined
  const session = await findLivePortalSession(db, hashSecretToken(sessionToken), now)
  return session ? { ticketId: session.ticket_id, customerId: session.customer_id } : undefined
}

/** The ticket as the customer sees it: status and the thread without internal notes (text is stored redacted). */
export async function loadPortalTicket(db: Db, brand: Brand, access: PortalAccess) {
  const ticket = await findTicketById(db, access.ticketId)
  if (!ticket) return undefined
  const messages = (await listMessagesOfTicket(db, access.ticketId)).filter((m) => m.direction !== 'note')
  return {
    number: formatTicketNumber(brand.ticketPrefix, ticket.id),
    subject: ticket.subject,
    status: ticket.status,
    messages: messages.map((m) => ({ direction: m.direction, at: m.received_at, text: m.text_body ?? '' })),
    lastMessageId: [...messages].reverse().find((m) => m.message_id_header)?.message_id_header ?? undefined,
  }
}

/** The customer's reply from the portal: an RFC 5322 follow-up with In-Reply-To, spooled like any message. */
export async function spoolPortalReply(
  db: Db,
  spool: RawMessageSpool,
  brand: Brand,
  input: { access: PortalAccess; text: string; uploads: CustomerUpload[]; language: Language; remoteAddress: string; now: Date },
): Promise<number | undefined> {
  const customer = await findCustomerById(db, input.access.customerId)
  const ticket = await loadPortalTicket(db, brand, input.access)
  if (!customer || !ticket) return undefined
  const { raw } = await composeCustomerMessage({
    fromName: customer.display_name ?? '',
    fromAddress: customer.email,
    to: brand.addresses.support,
    // The ticket token in the subject threads the reply even if the Message-ID chain is broken.
    subject: `Re: ${ticket.subject} [${ticket.number}]`,
    text: input.text,
    attachments: input.uploads,
    language: input.language,
    messageIdDomain: brand.officialDomains[0] ?? 'maildesk.invalid',
    channel: 'portal',
    inReplyTo: ticket.lastMessageId,
    references: ticket.lastMessageId ? [ticket.lastMessageId] : [],
    date: input.now,
  })
  return spool.spool({ raw, source: 'form', mailFrom: customer.email, rcptTo: [brand.addresses.support], remoteAddress: input.remoteAddress, receivedAt: input.now })
}

/** The customer closes their ticket; a later message from them reopens it. */
export async function closeTicketFromPortal(db: Db, access: PortalAccess, now: Date): Promise<void> {
  const ticket = await findTicketById(db, access.ticketId)
  if (!ticket || ticket.status === 'closed') return
  await updateTicket(db, access.ticketId, { status: 'closed', updated_at: now.toISOString() })
  await insertTicketEvent(db, { ticketId: access.ticketId, type: 'status_changed', actor: 'customer', data: { from: ticket.status, to: 'closed' }, now })
}
