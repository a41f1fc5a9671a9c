import type { Language } from '../brand.ts'
import { findCustomersByIds } from '../customers/customer.repository.ts'
import type { CustomerRow } from '../customers/customer.table.ts'
import { missingFacts, type ExtractedFields } from '../pipeline/extract-fields.ts'
import { formatTicketNumber } from '../tickets/ticket-number.ts'
import { listTicketIdsByAckStatus } from '../tickets/ticket.repository.ts'
import type { TicketRow } from '../tickets/ticket.table.ts'
import { listAttachmentsOfMessages } from '../tickets/attachment.repository.ts'
import { attachmentNoticeText, type NoticeItem } from '../attachments/attachment-notice.ts'
import { escapeHtml } from '../escape-html.ts'
import { renderAcknowledgement } from './acknowledgement.ts'
import { listFirstMessagesOfTickets, listQuarantinedDigests, listTicketsByIds, type FirstMessageFacts } from './acknowledgement.repository.ts'
import { sendAcknowledgement, sendAcknowledgements, type AcknowledgementInput } from './acknowledgement.service.ts'
import type { OutboundDeps } from './outbound.service.ts'

const EMPTY_FIELDS: ExtractedFields = { accounts: [], transactionIds: [], transactionTimes: [], amounts: [] }

/** Tickets acknowledged together at most: the worker's batches hold 100 messages, the sweep takes 100 tickets. */
const MAX_TICKETS_PER_BATCH = 100

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
  await acknowledgeTickets(deps, [ticketId])
}

/**
 * acknowledgeTicket for several tickets at once (those of one stored batch): their rows are read together, and their
 * mail is stored, sent and recorded by sendAcknowledgements in two commits for the lot. A ticket whose customer is
 * missing or whose mail cannot be composed is logged and stays 'pending'; the others are acknowledged.
 */
export async function acknowledgeTickets(deps: OutboundDeps, ticketIds: number[]): Promise<void> {
  const unique = [...new Set(ticketIds)]
  for (let start = 0; start < unique.length; start += MAX_TICKETS_PER_BATCH) {
    // In ticket order (listTicketsByIds sorts by id): an address's earlier tickets get its automatic-mail slots first,
    // and two processes acknowledging overlapping batches lock the acknowledgement rows in the same order.
    const tickets = (await listTicketsByIds(deps.db, unique.slice(start, start + MAX_TICKETS_PER_BATCH))).filter((t) => t.ack_status === 'pending')
    const summaries = await summarizeTickets(deps, tickets, 'acknowledgement')
    if (summaries.inputs.length === 0) continue
    await sendAcknowledgements(deps, summaries.inputs, { recordAckStatus: true, known: summaries.known })
  }
}

/**
 * A customer sent the same message again under a new Message-ID: tell them, once per ticket, the ticket number they
 * already have (with the same facts as the acknowledgement), instead of opening a second ticket.
 */
export async function remindOfExistingTicket(deps: OutboundDeps, ticketId: number): Promise<void> {
  const tickets = await listTicketsByIds(deps.db, [ticketId])
  const { inputs } = await summarizeTickets(deps, tickets, 'notice')
  for (const input of inputs) await sendAcknowledgement(deps, input)
}

/**
 * The acknowledgement of each ticket, in the language of its first message (else its customer's, else the brand's),
 * with the attachment notice; read a few queries for all of them. Tickets whose customer is missing are logged and
 * left out.
 */
async function summarizeTickets(
  deps: OutboundDeps,
  tickets: TicketRow[],
  kind: 'acknowledgement' | 'notice',
): Promise<{ inputs: AcknowledgementInput[]; known: { tickets: Map<number, TicketRow>; customers: Map<number, CustomerRow> } }> {
  const { db, config } = deps
  const customers = new Map((await findCustomersByIds(db, [...new Set(tickets.map((t) => t.customer_id))])).map((c) => [c.id, c]))
  const firstMessages = await listFirstMessagesOfTickets(db, tickets.map((t) => t.id))
  const firstOf = new Map(firstMessages.map((m) => [m.ticket_id, m]))
  const notices = await attachmentNotices(deps, firstMessages)
  const inputs: AcknowledgementInput[] = []
  for (const ticket of tickets) {
    const customer = customers.get(ticket.customer_id)
    if (!customer) {
      deps.log.error({ ticketId: ticket.id }, `${kind} failed: the customer of this ticket was not found`)
      continue
    }
    const first = firstOf.get(ticket.id)
    const spoken = first?.language ?? customer.language
    const language: Language = spoken === 'en' || spoken === 'zh-CN' ? spoken : config.brand.defaultLanguage
    const fields = parseJson<ExtractedFields>(first?.fields ?? null, EMPTY_FIELDS)
    const findings = parseJson<Array<{ type: string }>>(first?.findings ?? null, [])
    const content = renderAcknowledgement({
      brand: config.brand,
      language,
      ticketNumber: formatTicketNumber(config.brand.ticketPrefix, ticket.id),
      subject: ticket.subject,
      dueAt: ticket.due_at ? new Date(ticket.due_at) : deps.now(),
      missingFacts: missingFacts(ticket.category, { ...EMPTY_FIELDS, ...fields }, { knownSender: true }),
      redactedKinds: findings.map((f) => f.type),
      publicBaseUrl: config.publicUrl,
      isUrgent: ticket.priority === 'urgent',
    })
    const notice = first ? attachmentNoticeText(notices.get(first.id) ?? [], noticeLimits(deps), language) : undefined
    const withNotice = notice
      ? { subject: content.subject, text: `${content.text}\n\n${notice}`, html: `${content.html}\n<p>${escapeHtml(notice).replace(/\n/g, '<br>')}</p>` }
      : content
    inputs.push({ ticketId: ticket.id, content: withNotice, language, kind })
  }
  return { inputs, known: { tickets: new Map(tickets.map((t) => [t.id, t])), customers } }
}

function noticeLimits(deps: OutboundDeps) {
  const { config } = deps
  return { maxCount: config.maxAttachments, maxFileBytes: config.maxAttachmentBytes, maxTotalBytes: config.maxAttachmentsTotalBytes }
}

/** Per first message, the customer's files agents will not see (too large, too many, quarantined). */
async function attachmentNotices(deps: OutboundDeps, firstMessages: FirstMessageFacts[]): Promise<Map<number, NoticeItem[]>> {
  const items = new Map<number, NoticeItem[]>()
  const add = (messageId: number, item: NoticeItem): void => {
    items.set(messageId, [...(items.get(messageId) ?? []), item])
  }
  for (const first of firstMessages) {
    for (const w of parseJson<Array<{ code: string; detail?: string }>>(first.warnings, [])) {
      if (w.code === 'ATTACHMENT_TOO_LARGE') add(first.id, { filename: w.detail ?? 'attachment', reason: 'file_too_large' })
      if (w.code === 'ATTACHMENT_COUNT_LIMIT') add(first.id, { filename: w.detail ?? 'attachment', reason: 'too_many' })
    }
  }
  const attachments = await listAttachmentsOfMessages(deps.db, firstMessages.map((m) => m.id))
  const quarantined = await listQuarantinedDigests(deps.db, [...new Set(attachments.map((a) => a.sha256))])
  for (const a of attachments) if (quarantined.has(a.sha256)) add(a.message_id, { filename: a.filename, reason: 'quarantined' })
  return items
}

/** Acknowledges tickets still owed one (a process died between storing the ticket and sending). */
export async function acknowledgePendingTickets(deps: OutboundDeps, limit = 100): Promise<number> {
  const ids = await listTicketIdsByAckStatus(deps.db, 'pending', limit)
  await acknowledgeTickets(deps, ids)
  return ids.length
}
