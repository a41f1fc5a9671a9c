import type { Language } from '../brand.ts'
import type { Config } from '../config.ts'
import { findCustomerById } from '../customers/customer.repository.ts'
import type { CustomerRow } from '../customers/customer.table.ts'
import { InvalidInputError, MailBlockedError, NotFoundError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { normalizeSubject } from '../pipeline/normalize-subject.ts'
import type { Db } from '../store/database.ts'
import { insertTicketEvent } from '../tickets/ticket-event.repository.ts'
import { insertTicketMessage } from '../tickets/ticket-message.repository.ts'
import type { TicketMessageRow } from '../tickets/ticket-message.table.ts'
import { findTicketById, updateTicket } from '../tickets/ticket.repository.ts'
import type { TicketRow, TicketUpdate } from '../tickets/ticket.table.ts'
import { findAntiPhishingCode } from './anti-phishing-code.ts'
import { composeOutboundMessage, type ComposedMessage, type ComposeOutboundInput } from './compose-outbound-message.ts'
import type { MailTransport, OutgoingMail, SendOutcome } from './mail-transport.ts'
import {
  claimOutboundForSending,
  findOutboundMessageById,
  insertOutboundMessage,
  listUnsentOutbound,
  listTakenVerificationCodes,
  updateOutboundMessage,
} from './outbound-message.repository.ts'
import type { NewOutboundMessageRow, OutboundKind, OutboundMessageRow, OutboundMessageUpdate, OutboundStatus } from './outbound-message.table.ts'
import { generateVerificationCode } from './verification-code.ts'

export interface OutboundDeps {
  db: Db
  config: Config
  transport: MailTransport
  log: Logger
  /** The clock; tests pass a fixed one. */
  now: () => Date
  /** Composes automatic mail; the runtime passes its analysis threads' (AnalysisPool.tryCompose), else in-thread. */
  compose?: ((input: ComposeOutboundInput) => Promise<ComposedMessage>) | undefined
}

/** Automatic mail, which MAILDESK_AUTO_REPLY_LIMIT caps per recipient and AUTO_REPLY_WINDOW_MS. */
export const AUTOMATIC_KINDS: OutboundKind[] = ['acknowledgement', 'notice', 'survey']
export const AUTO_REPLY_WINDOW_MS = 24 * 60 * 60 * 1000 // 24 h
const MAX_REPLY_CHARS = 100_000
const MAX_SEND_ATTEMPTS = 10
/** A verification code collision (40 bits) is rare; three tries make it negligible. */
export const CODE_ATTEMPTS = 3

export interface AgentReplyInput {
  ticketId: number
  agentId: number
  text: string
  /** The agent's formatted version; made from `text` when absent. */
  html?: string | undefined
  /** The ticket status after the reply, e.g. 'pending' while waiting for the customer; unchanged when absent. */
  setStatus?: 'open' | 'pending' | 'solved' | undefined
}

export interface AgentReplyResult {
  /** The ticket_messages row (direction 'outbound') that shows the reply in the thread. */
  messageId: number
  messageIdHeader: string
  outboundMessageId: number
  /** 'sent' once the transport took it; 'failed' means recorded and retried by retryFailedOutbound(). */
  status: OutboundStatus
}

function customerLanguage(config: Config, customer: CustomerRow): Language {
  return customer.language === 'en' || customer.language === 'zh-CN' ? customer.language : config.brand.defaultLanguage
}

/** The customer's newest message with a Message-ID, which our mail answers (In-Reply-To/References). */
async function findLastInboundMessage(db: Db, ticketId: number): Promise<TicketMessageRow | undefined> {
  return db
    .selectFrom('ticket_messages')
    .selectAll()
    .where('ticket_id', '=', ticketId)
    .where('direction', '=', 'inbound')
    .where('message_id_header', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** In-Reply-To and References for mail answering this message of the customer's. */
export function threadingOf(message: Pick<TicketMessageRow, 'message_id_header' | 'references_header'> | undefined): { inReplyTo?: string; references?: string[] } {
  if (!message?.message_id_header) return {}
  const parsed: unknown = JSON.parse(message.references_header)
  const references = Array.isArray(parsed) ? parsed.filter((r): r is string => typeof r === 'string') : []
  return { inReplyTo: message.message_id_header, references }
}

async function loadTicketAndCustomer(db: Db, ticketId: number): Promise<{ ticket: TicketRow; customer: CustomerRow }> {
  const ticket = await findTicketById(db, ticketId)
  if (!ticket) throw new NotFoundError('ticket not found')
  const customer = await findCustomerById(db, ticket.customer_id)
  if (!customer) throw new NotFoundError('the customer of this ticket was not found')
  return { ticket, customer }
}

/**
 * Sends an agent's reply: stores it in the thread (direction 'outbound') and in outbound_messages, optionally
 * changes the ticket status, then hands it to the transport. A transport failure is recorded, not thrown.
 * @throws NotFoundError for an unknown ticket; InvalidInputError for an empty or oversized reply;
 *   MailBlockedError when the customer's address hard-bounced.
 */
export async function sendAgentReply(deps: OutboundDeps, input: AgentReplyInput): Promise<AgentReplyResult> {
  const text = input.text.trim()
  if (text.length === 0) throw new InvalidInputError('a reply needs some text', 'text')
  if (text.length > MAX_REPLY_CHARS) throw new InvalidInputError(`a reply must be at most ${MAX_REPLY_CHARS} characters (got ${text.length})`, 'text')
  const { config } = deps
  const now = deps.now()
  const stored = await deps.db.transaction().execute(async (trx) => {
    const { ticket, customer } = await loadTicketAndCustomer(trx, input.ticketId)
    if (customer.mail_blocked) throw new MailBlockedError()
    const last = await findLastInboundMessage(trx, ticket.id)
    const antiPhishingCode = await findAntiPhishingCode(trx, customer.id)
    const { composed, row } = await composeAndInsert(trx, now, (verificationCode) =>
      composeOutboundMessage({
        brand: config.brand,
        secretKey: config.secretKey,
        publicUrl: config.publicUrl,
        ticketId: ticket.id,
        kind: 'reply',
        to: { address: customer.email, name: customer.display_name },
        subject: `Re: ${normalizeSubject(ticket.subject) || ticket.subject}`,
        text,
        html: input.html,
        language: customerLanguage(config, customer),
        ...threadingOf(last),
        antiPhishingCode,
        verificationCode,
        now,
      }),
      { ticketId: ticket.id, kind: 'reply', toAddress: customer.email },
    )
    const message = await insertTicketMessage(trx, {
      ticket_id: ticket.id,
      raw_message_id: null,
      direction: 'outbound',
      message_id_header: composed.messageIdHeader,
      in_reply_to: last?.message_id_header ?? null,
      references_header: JSON.stringify(threadingOf(last).references ?? []),
      from_address: composed.from,
      from_name: config.brand.name,
      to_addresses: JSON.stringify([{ address: customer.email, name: customer.display_name ?? '' }]),
      subject: composed.subject,
      sent_at: null,
      received_at: now.toISOString(),
      text_body: text,
      html_body: input.html ?? null,
      created_at: now.toISOString(),
      agent_id: input.agentId,
    })
    await updateOutboundMessage(trx, row.id, { ticket_message_id: message.id })
    const update: TicketUpdate = { updated_at: now.toISOString(), first_replied_at: ticket.first_replied_at ?? now.toISOString() }
    // A ticket an agent has answered is no longer new, unless the agent chose what it becomes.
    const setStatus = input.setStatus ?? (ticket.status === 'new' ? 'open' : undefined)
    if (setStatus && setStatus !== ticket.status) {
      update.status = setStatus
      update.solved_at = setStatus === 'solved' ? (ticket.solved_at ?? now.toISOString()) : null
    }
    await updateTicket(trx, ticket.id, update)
    const actor = String(input.agentId)
    await insertTicketEvent(trx, { ticketId: ticket.id, type: 'reply_sent', actor, data: { messageId: message.id, outboundMessageId: row.id }, now })
    if (update.status) await insertTicketEvent(trx, { ticketId: ticket.id, type: 'status_changed', actor, data: { from: ticket.status, to: update.status }, now })
    return { row, message, composed }
  })
  const status = await deliverOutbound(deps, stored.row)
  if (status === 'sent') await deps.db.updateTable('ticket_messages').set({ sent_at: deps.now().toISOString() }).where('id', '=', stored.message.id).execute()
  return { messageId: stored.message.id, messageIdHeader: stored.composed.messageIdHeader, outboundMessageId: stored.row.id, status }
}

/** Composes with a fresh verification code (freshVerificationCodes) and inserts the queued row. */
async function composeAndInsert(
  db: Db,
  now: Date,
  compose: (verificationCode: string) => Promise<ComposedMessage>,
  meta: { ticketId: number; kind: OutboundKind; toAddress: string },
): Promise<{ composed: ComposedMessage; row: OutboundMessageRow }> {
  const [verificationCode = generateVerificationCode()] = await freshVerificationCodes(db, 1)
  const composed = await compose(verificationCode)
  const row = await insertOutboundMessage(db, queuedOutboundRow(composed, { ...meta, verificationCode }, now))
  return { composed, row }
}

/**
 * Verification codes for `count` messages, none already printed on a message nor twice in the batch (checked for the
 * whole batch at once, up to CODE_ATTEMPTS rounds; a code taken after that is caught by the insert).
 */
export async function freshVerificationCodes(db: Db, count: number): Promise<string[]> {
  const codes = Array.from({ length: count }, () => generateVerificationCode())
  for (let attempt = 1; attempt < CODE_ATTEMPTS && codes.length > 0; attempt++) {
    const taken = await listTakenVerificationCodes(db, codes)
    const seen = new Set<string>()
    let clash = false
    for (const [i, code] of codes.entries()) {
      const fresh = taken.has(code) || seen.has(code) ? generateVerificationCode() : code
      if (fresh !== code) clash = true
      codes[i] = fresh
      seen.add(fresh)
    }
    if (!clash) break
  }
  return codes
}

/** The outbound_messages row of a composed message before it is handed to the transport. */
export function queuedOutboundRow(
  composed: ComposedMessage,
  meta: { ticketId: number; kind: OutboundKind; toAddress: string; verificationCode: string },
  now: Date,
): NewOutboundMessageRow {
  return {
    ticket_id: meta.ticketId,
    ticket_message_id: null,
    message_id_header: composed.messageIdHeader,
    kind: meta.kind,
    to_address: meta.toAddress.toLowerCase(),
    subject: composed.subject,
    verification_code: meta.verificationCode,
    raw_mime: composed.raw.toString('utf8'),
    error: null,
    transport_id: null,
    created_at: now.toISOString(),
    sent_at: null,
    last_attempt_at: null,
    bounced_at: null,
  }
}

function outgoingMailOf(deps: OutboundDeps, row: OutboundMessageRow): OutgoingMail {
  // Bounces come back to support@, where the pipeline attaches them to the ticket (handleBounce).
  return { messageIdHeader: row.message_id_header, envelope: { from: deps.config.brand.addresses.support, to: [row.to_address] }, raw: row.raw_mime }
}

/** What one delivery attempt changes on the row, and logs. */
function deliveryUpdate(deps: OutboundDeps, row: OutboundMessageRow, outcome: SendOutcome, attemptAt: string, sentAt: string): { status: OutboundStatus; update: OutboundMessageUpdate } {
  if (outcome.status === 'fulfilled') {
    deps.log.info({ outboundMessageId: row.id, ticketId: row.ticket_id, kind: row.kind, transport: deps.transport.kind }, 'outbound mail sent')
    return {
      status: 'sent',
      update: { status: 'sent', transport_id: outcome.value.transportId, sent_at: sentAt, last_attempt_at: attemptAt, attempts: row.attempts + 1, error: null },
    }
  }
  const err: unknown = outcome.reason
  const message = err instanceof Error ? err.message : String(err)
  // The error's code only: relay answers can quote the recipient address.
  const code = err instanceof Error && 'code' in err ? String(err.code) : undefined
  const responseCode = err instanceof Error && 'responseCode' in err ? Number(err.responseCode) : undefined
  deps.log.warn({ outboundMessageId: row.id, ticketId: row.ticket_id, attempts: row.attempts + 1, code, responseCode }, 'outbound mail failed; will retry')
  return { status: 'failed', update: { status: 'failed', error: message.slice(0, 500), last_attempt_at: attemptAt, attempts: row.attempts + 1 } }
}

/** Hands one stored message to the transport and records the outcome on its row; never throws for a send failure. */
async function deliverOutbound(deps: OutboundDeps, row: OutboundMessageRow): Promise<OutboundStatus> {
  const [status = 'failed'] = await deliverOutboundMany(deps, [row])
  return status
}

/**
 * Hands stored messages to the transport together (signed and written side by side, one directory fsync for the
 * outbox) and records all outcomes in one transaction: one durable commit for the lot, where a commit per message
 * cost a full fsync each on the worker's main thread. Never throws for a send failure.
 */
export async function deliverOutboundMany(deps: OutboundDeps, rows: OutboundMessageRow[]): Promise<OutboundStatus[]> {
  if (rows.length === 0) return []
  const attemptAt = deps.now().toISOString()
  const outcomes = await deps.transport.sendMany(rows.map((row) => outgoingMailOf(deps, row)))
  const sentAt = deps.now().toISOString()
  const results = rows.map((row, i) => ({
    id: row.id,
    ...deliveryUpdate(deps, row, outcomes[i] ?? { status: 'rejected', reason: new Error('the transport returned no outcome') }, attemptAt, sentAt),
  }))
  await deps.db.transaction().execute(async (trx) => {
    for (const { id, update } of results) await updateOutboundMessage(trx, id, update)
  })
  return results.map((r) => r.status)
}

/** Wait before the next attempt: 1 min, 2, 4 … capped at 6 h. */
function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 60 * 60 * 1000)
}

export interface RetryOptions {
  /** At most this many messages per run. */
  limit?: number
  /** Queued rows older than this were left by a process that stopped before sending them. */
  queuedGraceMs?: number
}

/**
 * Sends again the messages whose delivery failed (with backoff) or never started; gives up after 10 attempts and
 * on addresses blocked by a hard bounce. Run it periodically from a job.
 */
export async function retryFailedOutbound(
  deps: OutboundDeps,
  options: RetryOptions = {},
): Promise<{ attempted: number; sent: number; failed: number }> {
  const now = deps.now()
  const candidates = await listUnsentOutbound(deps.db, new Date(now.getTime() - (options.queuedGraceMs ?? 5 * 60_000)), (options.limit ?? 50) * 4)
  const result = { attempted: 0, sent: 0, failed: 0 }
  for (const candidate of candidates) {
    if (result.attempted >= (options.limit ?? 50)) break
    if (candidate.attempts >= MAX_SEND_ATTEMPTS) continue
    if (candidate.status === 'failed' && candidate.last_attempt_at && Date.parse(candidate.last_attempt_at) + retryDelayMs(candidate.attempts) > now.getTime()) continue
    const blocked = await deps.db.selectFrom('customers').select('mail_blocked').where('email', '=', candidate.to_address).executeTakeFirst()
    if (blocked?.mail_blocked) {
      await updateOutboundMessage(deps.db, candidate.id, { status: 'failed', error: 'not retried: the address hard-bounced', attempts: MAX_SEND_ATTEMPTS })
      continue
    }
    if (!(await claimOutboundForSending(deps.db, candidate, now))) continue
    const fresh = await findOutboundMessageById(deps.db, candidate.id)
    if (!fresh) continue
    result.attempted++
    const status = await deliverOutbound(deps, fresh)
    if (status === 'sent') {
      result.sent++
      if (fresh.ticket_message_id !== null) {
        await deps.db.updateTable('ticket_messages').set({ sent_at: deps.now().toISOString() }).where('id', '=', fresh.ticket_message_id).execute()
      }
    } else result.failed++
  }
  return result
}
