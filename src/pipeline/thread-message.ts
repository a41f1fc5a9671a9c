import type { Db } from '../store/database.ts'
import { findLatestMessageAmong, findMessageByMessageIdHeader } from '../tickets/ticket-message.repository.ts'
import type { ParsedMessage } from './parse-message.ts'

export type ThreadDecision =
  /** Same Message-ID from the same sender is already stored: record the re-delivery, store nothing new. */
  | { kind: 'duplicate'; ticketId: number; messageId: number }
  /** A follow-up: add the message to this ticket. */
  | { kind: 'join'; ticketId: number; reason: 'references' }
  /** Nothing matched: a new ticket. `dropMessageId` when the Message-ID is taken by someone else's message. */
  | { kind: 'new'; dropMessageId: boolean }

/** Decides where a parsed inbound message belongs. */
export async function threadMessage(db: Db, message: ParsedMessage): Promise<ThreadDecision> {
  let dropMessageId = false
  if (message.messageId) {
    const existing = await findMessageByMessageIdHeader(db, message.messageId)
    if (existing) {
      const sameSender = (existing.from_address ?? '').toLowerCase() === (message.from?.address ?? '').toLowerCase()
      // A Message-ID reused by a different sender must not swallow their message; it is stored without it.
      if (sameSender) return { kind: 'duplicate', ticketId: existing.ticket_id, messageId: existing.id }
      dropMessageId = true
    }
  }
  const referenced = [...(message.inReplyTo ? [message.inReplyTo] : []), ...message.references]
  const parent = await findLatestMessageAmong(db, referenced)
  if (parent) return { kind: 'join', ticketId: parent.ticket_id, reason: 'references' }
  return { kind: 'new', dropMessageId }
}
