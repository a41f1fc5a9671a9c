import type { Language } from '../brand.ts'
import { findCustomerById } from '../customers/customer.repository.ts'
import { missingFacts, type ExtractedFields } from '../pipeline/extract-fields.ts'
import { findFirstMessageIdOfTicket, findMessageById } from '../tickets/ticket-message.repository.ts'
import { formatTicketNumber } from '../tickets/ticket-number.ts'
import { findTicketById, listTicketIdsByAckStatus, updateTicket } from '../tickets/ticket.repository.ts'
import type { TicketRow } from '../tickets/ticket.table.ts'
import type { TicketMessageRow } from '../tickets/ticket-message.table.ts'
import { listAttachmentsOfMessages } from '../tickets/attachment.repository.ts'
import { findAttachmentVerdict } from '../attachments/attachment-verdict.repository.ts'
import { attachmentNoticeText, type NoticeItem } from '../attachments/attachment-notice.ts'
import { escapeHtml } from './outbound-text.ts'
import { renderAcknowledgement } from './acknowledgement.ts'
import { sendAcknowledgement, type OutboundDeps } from './outbound.service.ts'

const EMPTY_FIELDS: ExtractedFields = { accounts: [], transactionIds: [], transactionTimes: [], amounts: [] }

function parseJson<T>(json: string | null, fallback: T): T {
  if (!json) return fallback
  try {
    return JSON.parse(json) as T
  } catch {
    return fallback
  }
}

/**
 * Sends a new ticket its acknowledgement, once: ticket number, honest expected reply time, what to add if
 * something is missing, the urgent channels, and a note about removed sensitive data. The ticket's
 * ack_status records the result ('sent' or 'skipped:<reason>'); only 'pending' tickets are acknowledged.
 */
export async function acknowledgeTicket(deps: OutboundDeps, ticketId: number): Promise<void> {
  const ticket = await findTicketById(deps.db, ticketId)
  if (!ticket || ticket.ack_status !== 'pending') return
  const result = await sendTicketSummary(deps, ticket, 'acknowledgement')
  await updateTicket(deps.db, ticketId, { ack_status: result.sent ? 'sent' : `skipped:${result.reason ?? 'unknown'}` })
}

/**
 * A customer sent the same message again under a new Message-ID: tell them, once per ticket, the ticket number they
 * already have (with the same facts as the acknowledgement), instead of opening a second ticket.
 */
export async function remindOfExistingTicket(deps: OutboundDeps, ticketId: number): Promise<void> {
  const ticket = await findTicketById(deps.db, ticketId)
  if (ticket) await sendTicketSummary(deps, ticket, 'notice')
}

async function sendTicketSummary(deps: OutboundDeps, ticket: TicketRow, kind: 'acknowledgement' | 'notice') {
  const firstId = await findFirstMessageIdOfTicket(deps.db, ticket.id)
  const first = firstId === undefined ? undefined : await findMessageById(deps.db, firstId)
  const customer = await findCustomerById(deps.db, ticket.customer_id)
  const spoken = first?.language ?? customer?.language
  const language: Language = spoken === 'en' || spoken === 'zh-CN' ? spoken : deps.config.brand.defaultLanguage
  const fields = parseJson<ExtractedFields>(first?.fields ?? null, EMPTY_FIELDS)
  const findings = parseJson<Array<{ type: string }>>(first?.findings ?? null, [])
  const content = renderAcknowledgement({
    brand: deps.config.brand,
    language,
    ticketNumber: formatTicketNumber(deps.config.brand.ticketPrefix, ticket.id),
    subject: ticket.subject,
    dueAt: ticket.due_at ? new Date(ticket.due_at) : deps.now(),
    missingFacts: missingFacts(ticket.category, { ...EMPTY_FIELDS, ...fields }, { knownSender: true }),
    redactedKinds: findings.map((f) => f.type),
    publicBaseUrl: deps.config.publicUrl,
    isUrgent: ticket.priority === 'urgent',
  })
  const notice = await attachmentNotice(deps, first, language)
  const withNotice = notice
    ? { subject: content.subject, text: `${content.text}\n\n${notice}`, html: `${content.html}\n<p>${escapeHtml(notice).replace(/\n/g, '<br>')}</p>` }
    : content
  return sendAcknowledgement(deps, { ticketId: ticket.id, content: withNotice, language, kind })
}

/** Which of the customer's files agents will not see (too large, too many, quarantined), as a kind notice. */
async function attachmentNotice(deps: OutboundDeps, first: TicketMessageRow | undefined, language: Language): Promise<string | undefined> {
  if (!first) return undefined
  const items: NoticeItem[] = []
  for (const w of parseJson<Array<{ code: string; detail?: string }>>(first.warnings, [])) {
    if (w.code === 'ATTACHMENT_TOO_LARGE') items.push({ filename: w.detail ?? 'attachment', reason: 'file_too_large' })
    if (w.code === 'ATTACHMENT_COUNT_LIMIT') items.push({ filename: w.detail ?? 'attachment', reason: 'too_many' })
  }
  for (const a of await listAttachmentsOfMessages(deps.db, [first.id])) {
    const verdict = await findAttachmentVerdict(deps.db, a.sha256)
    if (verdict?.verdict === 'quarantine') items.push({ filename: a.filename, reason: 'quarantined' })
  }
  const { config } = deps
  return attachmentNoticeText(
    items,
    { maxCount: config.maxAttachments, maxFileBytes: config.maxAttachmentBytes, maxTotalBytes: config.maxAttachmentsTotalBytes },
    language,
  )
}

/** Acknowledges tickets still owed one (a process died between storing the ticket and sending). */
export async function acknowledgePendingTickets(deps: OutboundDeps, limit = 100): Promise<number> {
  const ids = await listTicketIdsByAckStatus(deps.db, 'pending', limit)
  for (const id of ids) await acknowledgeTicket(deps, id)
  return ids.length
}

