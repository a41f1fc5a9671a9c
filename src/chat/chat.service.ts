import { InvalidInputError } from '../errors.ts'
import type { Brand, Language } from '../brand.ts'
import type { RawMessageSpool } from '../intake/raw-message-spool.ts'
import { redactSensitiveData } from '../pipeline/redact/redact-sensitive-data.ts'
import { composeCustomerMessage } from '../public/compose-customer-message.ts'
import { waitForTicketId } from '../public/feedback/feedback.service.ts'
import type { ChatConversationRow } from '../public/public.tables.ts'
import { hashSecretToken, newSecretToken } from '../public/signing-key.ts'
import type { Db } from '../store/database.ts'
import { insertTicketEvent } from '../tickets/ticket-event.repository.ts'
import { insertTicketMessage, listMessagesOfTicket } from '../tickets/ticket-message.repository.ts'
import { formatTicketNumber } from '../tickets/ticket-number.ts'
import { updateTicket } from '../tickets/ticket.repository.ts'

export const MAX_CHAT_MESSAGE_CHARS = 2000
/** An agent connection that has not refreshed its presence for this long is gone. */
export const AGENT_PRESENCE_WINDOW_MS = 60_000

export interface ChatLine {
  from: 'customer' | 'agent'
  text: string
  at: string
}

/** Chat text as stored and relayed: secrets removed (customers do paste card numbers into chats). */
export function cleanChatText(text: string): string {
  return redactSensitiveData(text.trim().slice(0, MAX_CHAT_MESSAGE_CHARS)).text
}

/** The newest Message-ID on the ticket, so a customer line threads by In-Reply-To like any reply. */
async function latestMessageIdOfTicket(db: Db, ticketId: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('ticket_messages')
    .select('message_id_header')
    .where('ticket_id', '=', ticketId)
    .where('message_id_header', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.message_id_header ?? undefined
}

export interface ChatCustomer {
  name: string
  email: string
  language: Language
}

/** Customer lines enter the same spool and pipeline as email (redaction, classification, threading). */
async function spoolCustomerLine(
  spool: RawMessageSpool,
  brand: Brand,
  line: { customer: ChatCustomer; subject: string; text: string; inReplyTo?: string | undefined; remoteAddress: string; now: Date },
): Promise<number> {
  const { raw } = await composeCustomerMessage({
    fromName: line.customer.name,
    fromAddress: line.customer.email,
    to: brand.addresses.support,
    subject: line.subject,
    text: line.text,
    attachments: [],
    language: line.customer.language,
    messageIdDomain: brand.officialDomains[0] ?? 'maildesk.invalid',
    channel: 'chat',
    inReplyTo: line.inReplyTo,
    references: line.inReplyTo ? [line.inReplyTo] : [],
    date: line.now,
  })
  return spool.spool({ raw, source: 'form', mailFrom: line.customer.email, rcptTo: [brand.addresses.support], remoteAddress: line.remoteAddress, receivedAt: line.now })
}

/**
 * Opens a conversation: the first line goes through the pipeline and becomes a ticket, which is then
 * marked channel 'chat'. The returned resume token (only its hash is stored) lets the same browser
 * reconnect after a page change. Undefined when the pipeline did not produce the ticket in time (the
 * line is spooled and still becomes a ticket, answered by email).
 */
export async function startChatConversation(
  db: Db,
  pipeline: { spool: RawMessageSpool; onSpooled?: (() => void) | undefined; waitMs: number },
  brand: Brand,
  input: { customer: ChatCustomer; text: string; remoteAddress: string; now: Date },
): Promise<{ conversation: ChatConversationRow; ticketNumber: string; resumeToken: string; firstLine: ChatLine } | undefined> {
  const text = cleanChatText(input.text)
  const subject = text.split('\n')[0]?.slice(0, 80) || 'Live chat'
  const rawMessageId = await spoolCustomerLine(pipeline.spool, brand, { customer: input.customer, subject, text: input.text, remoteAddress: input.remoteAddress, now: input.now })
  pipeline.onSpooled?.()
  const ticketId = await waitForTicketId(db, rawMessageId, pipeline.waitMs)
  if (ticketId === undefined) return undefined
  await updateTicket(db, ticketId, { channel: 'chat' })
  const resumeToken = newSecretToken()
  const conversation = await db
    .insertInto('chat_conversations')
    .values({
      token_hash: hashSecretToken(resumeToken),
      ticket_id: ticketId,
      language: input.customer.language,
      created_at: input.now.toISOString(),
      last_activity_at: input.now.toISOString(),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return {
    conversation,
    ticketNumber: formatTicketNumber(brand.ticketPrefix, ticketId),
    resumeToken,
    firstLine: { from: 'customer', text, at: input.now.toISOString() },
  }
}

export async function findConversationByResumeToken(db: Db, token: string): Promise<ChatConversationRow | undefined> {
  if (!/^[\w-]{43}$/.test(token)) return undefined
  return db.selectFrom('chat_conversations').selectAll().where('token_hash', '=', hashSecretToken(token)).where('status', '=', 'open').executeTakeFirst()
}

export async function findConversationById(db: Db, id: number): Promise<ChatConversationRow | undefined> {
  return db.selectFrom('chat_conversations').selectAll().where('id', '=', id).executeTakeFirst()
}

/**
 * A customer line: relayed at once (redacted), stored through the pipeline as a follow-up on the ticket; with the id
 * of its spooled raw message, which is on the ticket once the worker has processed it.
 */
export async function addCustomerChatLine(
  db: Db,
  pipeline: { spool: RawMessageSpool; onSpooled?: (() => void) | undefined },
  brand: Brand,
  conversation: ChatConversationRow,
  line: { customer: ChatCustomer; text: string; remoteAddress: string; now: Date },
): Promise<ChatLine & { rawMessageId: number }> {
  const ticket = await db.selectFrom('tickets').select('subject').where('id', '=', conversation.ticket_id).executeTakeFirst()
  const number = formatTicketNumber(brand.ticketPrefix, conversation.ticket_id)
  const rawMessageId = await spoolCustomerLine(pipeline.spool, brand, {
    customer: line.customer,
    // The ticket token threads the line even before the previous one has been processed.
    subject: `Re: ${ticket?.subject ?? 'Live chat'} [${number}]`,
    text: line.text,
    inReplyTo: await latestMessageIdOfTicket(db, conversation.ticket_id),
    remoteAddress: line.remoteAddress,
    now: line.now,
  })
  pipeline.onSpooled?.()
  await db.updateTable('chat_conversations').set({ last_activity_at: line.now.toISOString() }).where('id', '=', conversation.id).execute()
  return { from: 'customer', text: cleanChatText(line.text), at: line.now.toISOString(), rawMessageId }
}

/** An agent line: stored on the ticket as an outbound message (it is not mailed; the customer is in the chat). */
export async function addAgentChatLine(
  db: Db,
  conversation: ChatConversationRow,
  line: { text: string; agentName: string; now: Date },
): Promise<ChatLine> {
  const text = cleanChatText(line.text)
  // The socket path refuses blank lines before they get here; the HTTP route must not send one either.
  if (text === '') throw new InvalidInputError('text is empty: write something to send', 'text')
  const at = line.now.toISOString()
  const ticket = await db.selectFrom('tickets').select('subject').where('id', '=', conversation.ticket_id).executeTakeFirst()
  await insertTicketMessage(db, {
    ticket_id: conversation.ticket_id,
    raw_message_id: null,
    direction: 'outbound',
    message_id_header: null,
    in_reply_to: null,
    from_address: null,
    from_name: line.agentName,
    subject: ticket?.subject ?? 'Live chat',
    sent_at: at,
    received_at: at,
    text_body: text,
    html_body: null,
    created_at: at,
  })
  await db.updateTable('chat_conversations').set({ last_activity_at: at }).where('id', '=', conversation.id).execute()
  await updateTicket(db, conversation.ticket_id, { updated_at: at, last_message_at: at })
  return { from: 'agent', text, at }
}

/** The transcript, oldest first. */
export async function listChatLines(db: Db, conversation: ChatConversationRow): Promise<ChatLine[]> {
  const messages = await listMessagesOfTicket(db, conversation.ticket_id)
  return messages
    .filter((m) => m.direction !== 'note')
    // A line stored through the pipeline is a mail body, which ends with a line break the customer never typed.
    .map((m) => ({ from: m.direction === 'inbound' ? ('customer' as const) : ('agent' as const), text: (m.text_body ?? '').trimEnd(), at: m.received_at }))
}

export async function endChatConversation(db: Db, conversation: ChatConversationRow, actor: string, now: Date): Promise<void> {
  await db.updateTable('chat_conversations').set({ status: 'closed', last_activity_at: now.toISOString() }).where('id', '=', conversation.id).execute()
  await insertTicketEvent(db, { ticketId: conversation.ticket_id, type: 'chat_ended', actor, now })
}

export async function listOpenConversations(db: Db, limit = 100): Promise<ChatConversationRow[]> {
  return db.selectFrom('chat_conversations').selectAll().where('status', '=', 'open').orderBy('last_activity_at', 'desc').limit(limit).execute()
}

/** Marks one agent connection present (called on connect and by a heartbeat). */
export async function refreshAgentPresence(db: Db, connectionId: string, agent: string, now: Date): Promise<void> {
  await db
    .insertInto('chat_agent_presence')
    .values({ connection_id: connectionId, agent, last_seen_at: now.toISOString() })
    .onConflict((oc) => oc.column('connection_id').doUpdateSet({ last_seen_at: now.toISOString() }))
    .execute()
}

export async function removeAgentPresence(db: Db, connectionId: string): Promise<void> {
  await db.deleteFrom('chat_agent_presence').where('connection_id', '=', connectionId).execute()
}

/** Agents with a live connection in any process. */
export async function countAgentsOnline(db: Db, now: Date): Promise<number> {
  const since = new Date(now.getTime() - AGENT_PRESENCE_WINDOW_MS).toISOString()
  const row = await db
    .selectFrom('chat_agent_presence')
    .select((eb) => eb.fn.count<number | string>('agent').distinct().as('n'))
    .where('last_seen_at', '>=', since)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
