import type { RawMessageSummary } from '../intake/raw-message.repository.ts'
import type { Db } from '../store/database.ts'
import type { AttachmentStore } from '../tickets/attachment-store.ts'
import { formatTicketNumber } from '../tickets/ticket-number.ts'
import { addMessageToTicket, createTicketFromMessage, recordDuplicateDelivery, UNKNOWN_SENDER } from '../tickets/ticket.service.ts'
import { parseMessage, type ParseLimits, type ParsedMessage, type StageWarning } from './parse-message.ts'
import { threadMessage } from './thread-message.ts'

/** What the stages before storage need; none of it is HTTP or SMTP. */
export interface PipelineContext {
  limits: ParseLimits
  attachments: AttachmentStore
  ticketPrefix: string
}

/** The result of the stages that need no database: parse (and, as they land, authenticate, redact, classify). */
export interface AnalyzedMessage {
  parsed: ParsedMessage
  senderAddress: string
  attachmentDigests: string[]
  warnings: StageWarning[]
}

export interface ProcessOutcome {
  status: 'created' | 'joined' | 'duplicate'
  ticketId: number
  ticketNumber: string
  messageId: number
}

const CHANNEL_BY_SOURCE: Record<string, string> = { smtp: 'email', file: 'email', imap: 'email', form: 'web', api: 'api' }

function senderOf(parsed: ParsedMessage, envelopeFrom: string | null, warnings: StageWarning[]): string {
  for (const candidate of [parsed.from?.address, envelopeFrom ?? undefined]) {
    if (candidate && candidate.length <= 320 && /^[^@\s]+@[^@\s]+$/.test(candidate)) return candidate.toLowerCase()
  }
  warnings.push({ code: 'SENDER_UNKNOWN' })
  return UNKNOWN_SENDER
}

/**
 * Runs the stages that need no database, in order: parse → (authenticate → redact → extract & classify),
 * and stores attachment bytes by content hash.
 */
export async function analyzeMessage(
  ctx: PipelineContext,
  raw: Uint8Array,
  envelopeFrom: string | null,
): Promise<AnalyzedMessage> {
  const parsed = await parseMessage(raw, ctx.limits)
  const warnings = [...parsed.warnings]
  const senderAddress = senderOf(parsed, envelopeFrom, warnings)
  const attachmentDigests = await Promise.all(parsed.attachments.map((a) => ctx.attachments.put(a.content)))
  return { parsed, senderAddress, attachmentDigests, warnings }
}

/** Threads the analyzed message and stores it: a new ticket, a follow-up, or a recorded re-delivery. */
export async function storeAnalyzedMessage(
  db: Db,
  ctx: PipelineContext,
  analyzed: AnalyzedMessage,
  raw: Pick<RawMessageSummary, 'id' | 'source' | 'received_at'>,
  now: Date,
): Promise<ProcessOutcome> {
  const decision = await threadMessage(db, analyzed.parsed)
  const number = (ticketId: number) => formatTicketNumber(ctx.ticketPrefix, ticketId)
  if (decision.kind === 'duplicate') {
    await recordDuplicateDelivery(db, decision.ticketId, decision.messageId, raw.id, now)
    return { status: 'duplicate', ticketId: decision.ticketId, ticketNumber: number(decision.ticketId), messageId: decision.messageId }
  }
  const warnings = [...analyzed.warnings]
  if (decision.kind === 'new' && decision.dropMessageId) warnings.push({ code: 'MESSAGE_ID_REUSED' })
  const inbound = {
    parsed: analyzed.parsed,
    messageIdHeader: decision.kind === 'new' && decision.dropMessageId ? undefined : analyzed.parsed.messageId,
    senderAddress: analyzed.senderAddress,
    rawMessageId: raw.id,
    channel: CHANNEL_BY_SOURCE[raw.source] ?? 'email',
    receivedAt: new Date(raw.received_at),
    attachmentDigests: analyzed.attachmentDigests,
    warnings,
  }
  if (decision.kind === 'join') {
    const messageId = await addMessageToTicket(db, decision.ticketId, inbound, now)
    return { status: 'joined', ticketId: decision.ticketId, ticketNumber: number(decision.ticketId), messageId }
  }
  const { ticket, messageId } = await createTicketFromMessage(db, inbound, now)
  return { status: 'created', ticketId: ticket.id, ticketNumber: number(ticket.id), messageId }
}
