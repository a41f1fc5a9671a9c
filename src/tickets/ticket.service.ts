import { findCustomerById, setCustomerLanguage, upsertCustomerByEmail } from '../customers/customer.repository.ts'
import { NotFoundError } from '../errors.ts'
import { attachmentSize, type ParsedMessage, type StageWarning } from '../pipeline/parse-message.ts'
import type { Db } from '../store/database.ts'
import { insertAttachments, listAttachmentsOfMessages } from './attachment.repository.ts'
import { insertTicketEvent, listEventsOfTicket } from './ticket-event.repository.ts'
import { insertTicketMessage, listMessagesOfTicket } from './ticket-message.repository.ts'
import { findTicketById, insertTicket, updateTicket } from './ticket.repository.ts'

/** Used when a message names no sender at all (RFC 2606 reserves .invalid). */
export const UNKNOWN_SENDER = 'unknown-sender@maildesk.invalid'

/** What the pipeline learned about a message, stored beside it. */
export interface MessageAnalysis {
  verdicts: Record<string, unknown> | undefined
  findings: Array<{ type: string; count: number }>
  fields: Record<string, unknown> | undefined
  language: string | undefined
  /** message (from the customer), auto_reply (out-of-office and other automatic mail), bounce (a DSN). */
  kind: 'message' | 'auto_reply' | 'bounce'
  bodySha256: string | undefined
}

export interface InboundMessage {
  parsed: ParsedMessage
  /** Message-ID to store (undefined when it must not be stored, e.g. reused by another sender). */
  messageIdHeader: string | undefined
  senderAddress: string
  rawMessageId: number | null
  channel: string
  receivedAt: Date
  /** Attachment digests from the AttachmentStore, in the order of parsed.attachments. */
  attachmentDigests: string[]
  warnings: StageWarning[]
  analysis: MessageAnalysis
}

export interface NewTicketFacts {
  category: string
  priority: string
  /** First-response deadline on the business calendar. */
  dueAt: Date | undefined
  /** 'pending' when an acknowledgement is owed, else 'skipped:<reason>'. */
  ackStatus: string
}

/** Opens a new ticket for a customer's first message and stores that message. */
export async function createTicketFromMessage(
  db: Db,
  inbound: InboundMessage,
  facts: NewTicketFacts,
  now: Date,
): Promise<{ ticketId: number; messageId: number }> {
  const customer = await upsertCustomerByEmail(db, inbound.senderAddress, inbound.parsed.from?.name || null, now)
  if (!customer.language && inbound.analysis.language && inbound.analysis.kind === 'message') {
    await setCustomerLanguage(db, customer.id, inbound.analysis.language, now)
  }
  const ticket = await insertTicket(db, {
    subject: inbound.parsed.subject || '(no subject)',
    channel: inbound.channel,
    customer_id: customer.id,
    category: facts.category,
    priority: facts.priority,
    due_at: facts.dueAt?.toISOString() ?? null,
    ack_status: facts.ackStatus,
    assignee_agent_id: null,
    merged_into_ticket_id: null,
    first_replied_at: null,
    solved_at: null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    last_message_at: inbound.receivedAt.toISOString(),
  })
  const messageId = await storeInboundMessage(db, ticket.id, inbound, now)
  await insertTicketEvent(db, {
    ticketId: ticket.id,
    type: 'created',
    data: { messageId, channel: inbound.channel, category: facts.category, priority: facts.priority },
    now,
  })
  return { ticketId: ticket.id, messageId }
}

/**
 * Adds a follow-up to an existing ticket. A customer's message re-opens a ticket that was waiting for them or
 * solved, and may raise its priority (`raisePriorityTo`); automatic replies and bounces are kept on the ticket
 * without changing it.
 */
export async function addMessageToTicket(
  db: Db,
  ticketId: number,
  inbound: InboundMessage,
  now: Date,
  raisePriorityTo?: string,
): Promise<number> {
  const messageId = await storeInboundMessage(db, ticketId, inbound, now)
  const ticket = await findTicketById(db, ticketId)
  const fromCustomer = inbound.analysis.kind === 'message'
  const reopen = fromCustomer && ticket !== undefined && ['pending', 'solved'].includes(ticket.status)
  const raise = fromCustomer && raisePriorityTo !== undefined && ticket !== undefined && raisePriorityTo !== ticket.priority
  await updateTicket(db, ticketId, {
    updated_at: now.toISOString(),
    ...(fromCustomer ? { last_message_at: inbound.receivedAt.toISOString() } : {}),
    ...(reopen ? { status: 'open' } : {}),
    ...(raise ? { priority: raisePriorityTo } : {}),
  })
  await insertTicketEvent(db, { ticketId, type: 'message_added', data: { messageId, kind: inbound.analysis.kind }, now })
  if (reopen) await insertTicketEvent(db, { ticketId, type: 'status_changed', data: { from: ticket.status, to: 'open' }, now })
  if (raise) {
    await insertTicketEvent(db, { ticketId, type: 'priority_changed', data: { from: ticket.priority, to: raisePriorityTo, reason: 'customer_chased_overdue' }, now })
  }
  return messageId
}

/** Records that a message we already have was delivered again. */
export async function recordDuplicateDelivery(
  db: Db,
  ticketId: number,
  messageId: number,
  rawMessageId: number | null,
  now: Date,
): Promise<void> {
  await insertTicketEvent(db, { ticketId, type: 'duplicate_delivery', data: { messageId, rawMessageId }, now })
}

async function storeInboundMessage(db: Db, ticketId: number, inbound: InboundMessage, now: Date): Promise<number> {
  const p = inbound.parsed
  const message = await insertTicketMessage(db, {
    ticket_id: ticketId,
    raw_message_id: inbound.rawMessageId,
    direction: 'inbound',
    message_id_header: inbound.messageIdHeader ?? null,
    in_reply_to: p.inReplyTo ?? null,
    references_header: JSON.stringify(p.references),
    from_address: inbound.senderAddress,
    from_name: p.from?.name || null,
    to_addresses: JSON.stringify(p.to),
    cc_addresses: JSON.stringify(p.cc),
    reply_to_addresses: JSON.stringify(p.replyTo),
    subject: p.subject,
    sent_at: p.sentAt?.toISOString() ?? null,
    received_at: inbound.receivedAt.toISOString(),
    text_body: p.text ?? null,
    html_body: p.html ?? null,
    headers: JSON.stringify(p.headers),
    warnings: JSON.stringify(inbound.warnings),
    verdicts: inbound.analysis.verdicts ? JSON.stringify(inbound.analysis.verdicts) : null,
    findings: JSON.stringify(inbound.analysis.findings),
    fields: inbound.analysis.fields ? JSON.stringify(inbound.analysis.fields) : null,
    language: inbound.analysis.language ?? null,
    kind: inbound.analysis.kind,
    body_sha256: inbound.analysis.bodySha256 ?? null,
    agent_id: null,
    created_at: now.toISOString(),
  })
  await insertAttachments(
    db,
    p.attachments.map((a, i) => ({
      message_id: message.id,
      filename: a.filename,
      content_type: a.contentType,
      disposition: a.disposition,
      content_id: a.contentId ?? null,
      size_bytes: attachmentSize(a),
      sha256: inbound.attachmentDigests[i] as string,
      created_at: now.toISOString(),
    })),
  )
  return message.id
}

/**
 * A ticket with its customer, messages, attachments metadata and events.
 * @throws NotFoundError when there is no such ticket.
 */
export async function getTicketWithThread(db: Db, ticketId: number) {
  const ticket = await findTicketById(db, ticketId)
  if (!ticket) throw new NotFoundError(`ticket not found`)
  const [customer, messages, events] = await Promise.all([
    findCustomerById(db, ticket.customer_id),
    listMessagesOfTicket(db, ticketId),
    listEventsOfTicket(db, ticketId),
  ])
  const attachments = await listAttachmentsOfMessages(db, messages.map((m) => m.id))
  return { ticket, customer, messages, attachments, events }
}
