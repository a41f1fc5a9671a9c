import { findCustomerByEmail, findCustomerById } from '../customers/customer.repository.ts'
import { findOutboundMessageAmong } from '../notify/outbound-message.repository.ts'
import { findOwnMarker, parseOwnMessageId } from '../notify/own-message-id.ts'
import type { Db } from '../store/database.ts'
import {
  findLatestMessageAmong,
  findMessageByMessageIdHeader,
  findRecentInboundWithBody,
  hasMessageFrom,
} from '../tickets/ticket-message.repository.ts'
import { parseTicketNumber } from '../tickets/ticket-number.ts'
import { findTicketById, listRecentOpenTicketsOfCustomer } from '../tickets/ticket.repository.ts'
import { findTicketToken, normalizeSubject } from './normalize-subject.ts'
import type { ParsedMessage } from './parse-message.ts'

export type JoinReason = 'references' | 'own_message_id' | 'marker' | 'subject_token' | 'subject_match'

export type ThreadDecision =
  /** Already stored (same Message-ID, or the same text re-sent): record the re-delivery, store nothing new. */
  | { kind: 'duplicate'; ticketId: number; messageId: number; reason: 'message_id' | 'same_body' }
  /** A follow-up: add the message to this ticket. */
  | { kind: 'join'; ticketId: number; reason: JoinReason }
  /** Nothing matched: a new ticket. `dropMessageId` when the Message-ID is taken by someone else's message. */
  | { kind: 'new'; dropMessageId: boolean }

export interface ThreadingOptions {
  ticketPrefix: string
  /** Verifies the HMAC in our own Message-IDs and body markers, so forged ones are ignored. */
  secretKey: Buffer
  now: Date
  /** Same sender + same normalised subject joins an open ticket active within this window. */
  subjectWindowMs: number
  /** Same sender + same text within this window is a re-send, whatever its Message-ID. */
  resendWindowMs: number
}

export interface ThreadInput {
  message: ParsedMessage
  senderAddress: string
  /**
   * Who the From claims to be counts for nothing: DMARC proves it forged (authenticate-sender.ts isForgedSender), or
   * a stranger typed it into the web form. Such a message joins no ticket by the sender's address.
   */
  senderUnproven: boolean
  /** SHA-256 of the normalised text; undefined for messages too short to tell re-sends apart. */
  bodySha256: string | undefined
}

/**
 * Decides where an inbound message belongs, in order: its Message-ID already stored; a re-send of the same text;
 * In-Reply-To/References against stored Message-IDs (ours carry an HMAC, so forged ones are not trusted); our
 * hidden marker in the body; the [OKP-1042] token in the subject (only from the ticket's customer or a
 * participant); the same sender and normalised subject within a window. Merged tickets lead to their target;
 * closed tickets are not reopened (the message starts a new ticket). A forged sender gets none of the steps that
 * rest on who the sender is (re-send, subject token, subject match): a stranger who knows a customer's address and
 * ticket number cannot write into that ticket, or have their message dropped as the customer's re-send.
 */
export async function threadMessage(db: Db, opts: ThreadingOptions, input: ThreadInput): Promise<ThreadDecision> {
  const { message, senderAddress } = input
  let dropMessageId = false
  if (message.messageId) {
    const existing = await findMessageByMessageIdHeader(db, message.messageId)
    if (existing) {
      // A Message-ID reused by a different sender must not swallow their message; it is stored without it.
      if ((existing.from_address ?? '') === senderAddress) {
        return { kind: 'duplicate', ticketId: existing.ticket_id, messageId: existing.id, reason: 'message_id' }
      }
      dropMessageId = true
    }
  }
  const trusted = !input.senderUnproven
  if (trusted && input.bodySha256) {
    const since = new Date(opts.now.getTime() - opts.resendWindowMs)
    const resent = await findRecentInboundWithBody(db, senderAddress, input.bodySha256, since)
    if (resent) return { kind: 'duplicate', ticketId: resent.ticket_id, messageId: resent.id, reason: 'same_body' }
  }

  const join = async (ticketId: number | undefined, reason: JoinReason): Promise<ThreadDecision | undefined> => {
    const target = await openTarget(db, ticketId)
    return target === undefined ? undefined : { kind: 'join', ticketId: target, reason }
  }

  const referenced = [...(message.inReplyTo ? [message.inReplyTo] : []), ...message.references]
  for (const id of referenced) {
    const own = parseOwnMessageId(id, opts.secretKey)
    if (own) {
      const decision = await join(own.ticketId, 'own_message_id')
      if (decision) return decision
    }
  }
  const parent = await findLatestMessageAmong(db, referenced)
  const byReference = (await join(parent?.ticket_id, 'references')) ?? (await join((await findOutboundMessageAmong(db, referenced))?.ticket_id, 'references'))
  if (byReference) return byReference

  const marker = findOwnMarker(`${message.text ?? ''}\n${message.html ?? ''}`, opts.secretKey)
  const byMarker = await join(marker?.ticketId, 'marker')
  if (byMarker) return byMarker

  const tokenNumber = findTicketToken(message.subject, opts.ticketPrefix)
  const token = tokenNumber === undefined ? undefined : parseTicketNumber(opts.ticketPrefix, `${opts.ticketPrefix}-${tokenNumber}`)
  if (trusted && token !== undefined && (await isParticipant(db, token, senderAddress))) {
    const byToken = await join(token, 'subject_token')
    if (byToken) return byToken
  }

  const subject = normalizeSubject(message.subject)
  const customer = trusted && subject ? await findCustomerByEmail(db, senderAddress) : undefined
  if (customer) {
    const since = new Date(opts.now.getTime() - opts.subjectWindowMs)
    const recent = await listRecentOpenTicketsOfCustomer(db, customer.id, since)
    const match = recent.find((t) => normalizeSubject(t.subject) === subject)
    if (match) return { kind: 'join', ticketId: match.id, reason: 'subject_match' }
  }
  return { kind: 'new', dropMessageId }
}

/** Follows merges to the surviving ticket; undefined when there is none or it is closed. */
async function openTarget(db: Db, ticketId: number | undefined): Promise<number | undefined> {
  for (let hops = 0; ticketId !== undefined && hops < 10; hops++) {
    const ticket = await findTicketById(db, ticketId)
    if (!ticket) return undefined
    if (ticket.merged_into_ticket_id !== null) {
      ticketId = ticket.merged_into_ticket_id
      continue
    }
    return ticket.status === 'closed' ? undefined : ticket.id
  }
  return undefined
}

/** The ticket's customer, or someone who already wrote on it. */
async function isParticipant(db: Db, ticketId: number, address: string): Promise<boolean> {
  const ticket = await findTicketById(db, ticketId)
  if (!ticket) return false
  const customer = await findCustomerById(db, ticket.customer_id)
  return customer?.email === address || (await hasMessageFrom(db, ticketId, address))
}
