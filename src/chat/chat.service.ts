import type { Language } from '../brand.ts'
import { redactSensitiveData } from '../pipeline/redact/redact-sensitive-data.ts'
import type { ParsedMessage } from '../pipeline/parse-message.ts'
import type { ChatConversationRow } from '../public/public.tables.ts'
import { hashSecretToken, newSecretToken } from '../public/signing-key.ts'
import type { Db } from '../store/database.ts'
import { insertTicketEvent } from '../tickets/ticket-event.repository.ts'
import { insertTicketMessage, listMessagesOfTicket } from '../tickets/ticket-message.repository.ts'
import { formatTicketNumber } from '../tickets/ticket-number.ts'
import { updateTicket } from '../tickets/ticket.repository.ts'
import { createTicketFromMessage } from '../tickets/ticket.service.ts'

export const MAX_CHAT_MESSAGE_CHARS = 2000
/** An agent connection that has not refreshed its presence for this long is gone. */
export const AGENT_PRESENCE_WINDOW_MS = 60_000

export interface ChatLine {
  from: 'customer' | 'agent'
  text: string
  at: string
}

function chatMessage(from: { address: string; name: string }, subject: string, text: string, at: Date): ParsedMessage {
  return {
    messageId: undefined,
    inReplyTo: undefined,
    references: [],
    from,
    replyTo: [],
    to: [],
    cc: [],
    subject,
    sentAt: at,
    headers: [],
    text,
    html: undefined,
    attachments: [],
    warnings: [],
  }
}

/** Chat text as stored and relayed: secrets removed (customers do paste card numbers into chats). */
export function cleanChatText(text: string): string {
  return redactSensitiveData(text.trim().slice(0, MAX_CHAT_MESSAGE_CHARS)).text
}

/**
 * Opens a conversation: a ticket on channel 'chat' whose first message is the customer's first line.
 * The returned resume token (only its hash is stored) lets the same browser reconnect after a page change.
 */
export async function startChatConversation(
  db: Db,
  ticketPrefix: string,
  input: { name: string; email: string; text: string; language: Language; now: Date },
): Promise<{ conversation: ChatConversationRow; ticketNumber: string; resumeToken: string; firstLine: ChatLine }> {
  const text = cleanChatText(input.text)
  const subject = text.split('\n')[0]?.slice(0, 80) || 'Live chat'
  const { ticket } = await createTicketFromMessage(
    db,
    {
      parsed: chatMessage({ address: input.email, name: input.name }, subject, text, input.now),
      messageIdHeader: undefined,
      senderAddress: input.email.toLowerCase(),
      rawMessageId: null,
      channel: 'chat',
      receivedAt: input.now,
      attachmentDigests: [],
      warnings: [],
    },
    input.now,
  )
  const resumeToken = newSecretToken()
  const conversation = await db
    .insertInto('chat_conversations')
    .values({
      token_hash: hashSecretToken(resumeToken),
      ticket_id: ticket.id,
      language: input.language,
      created_at: input.now.toISOString(),
      last_activity_at: input.now.toISOString(),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return {
    conversation,
    ticketNumber: formatTicketNumber(ticketPrefix, ticket.id),
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

/** Appends one line to the conversation's ticket: customer lines inbound, agent lines outbound. */
export async function addChatLine(
  db: Db,
  conversation: ChatConversationRow,
  line: { from: 'customer' | 'agent'; text: string; agentName?: string | undefined; now: Date },
): Promise<ChatLine> {
  const text = cleanChatText(line.text)
  const at = line.now.toISOString()
  const first = await db.selectFrom('ticket_messages').select(['subject', 'from_address', 'from_name']).where('ticket_id', '=', conversation.ticket_id).orderBy('id', 'asc').executeTakeFirst()
  await insertTicketMessage(db, {
    ticket_id: conversation.ticket_id,
    raw_message_id: null,
    direction: line.from === 'customer' ? 'inbound' : 'outbound',
    message_id_header: null,
    in_reply_to: null,
    from_address: line.from === 'customer' ? (first?.from_address ?? null) : null,
    from_name: line.from === 'customer' ? (first?.from_name ?? null) : (line.agentName ?? null),
    subject: first?.subject ?? 'Live chat',
    sent_at: at,
    received_at: at,
    text_body: text,
    html_body: null,
    created_at: at,
  })
  await db.updateTable('chat_conversations').set({ last_activity_at: at }).where('id', '=', conversation.id).execute()
  await updateTicket(db, conversation.ticket_id, { updated_at: at, last_message_at: at })
  return { from: line.from, text, at }
}

/** The transcript, oldest first. */
export async function listChatLines(db: Db, conversation: ChatConversationRow): Promise<ChatLine[]> {
  const messages = await listMessagesOfTicket(db, conversation.ticket_id)
  return messages
    .filter((m) => m.direction !== 'note')
    .map((m) => ({ from: m.direction === 'inbound' ? ('customer' as const) : ('agent' as const), text: m.text_body ?? '', at: m.received_at }))
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
