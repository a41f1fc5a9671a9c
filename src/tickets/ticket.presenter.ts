import { isServableToAgents } from '../attachments/inspect-attachment.ts'
import type { AttachmentVerdictRow } from '../attachments/attachment-verdict.table.ts'
import type { CustomerRow } from '../customers/customer.table.ts'
import type { AttachmentRow } from './attachment.table.ts'
import type { TicketEventRow } from './ticket-event.table.ts'
import type { TicketMessageRow } from './ticket-message.table.ts'
import { splitQuotedReply } from '../pipeline/split-quoted-reply.ts'
import { sanitizeHtml } from '../web/sanitize-html.ts'
import { formatTicketNumber } from './ticket-number.ts'
import type { TicketRow } from './ticket.table.ts'

/** Ticket → JSON for /api/v1 lists. */
export function presentTicketSummary(prefix: string, t: TicketRow, customer?: Pick<CustomerRow, 'email'>) {
  return {
    number: formatTicketNumber(prefix, t.id),
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    category: t.category,
    channel: t.channel,
    customer: customer ? { email: customer.email } : undefined,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
    lastMessageAt: t.last_message_at,
    assigneeAgentId: t.assignee_agent_id,
    tags: parseJsonArray(t.tags),
    mergedInto: t.merged_into_ticket_id === null ? null : formatTicketNumber(prefix, t.merged_into_ticket_id),
    dueAt: t.due_at,
    firstRepliedAt: t.first_replied_at,
    solvedAt: t.solved_at,
  }
}

function parseJsonArray(json: string): unknown[] {
  const value: unknown = JSON.parse(json)
  return Array.isArray(value) ? value : []
}

/** A JSON column another stage may add to messages (verdicts, findings, extracted fields), parsed when present. */
function optionalJsonField(row: object, name: string): unknown {
  if (!(name in row)) return undefined
  const value: unknown = Reflect.get(row, name)
  if (typeof value !== 'string') return value ?? undefined
  try {
    return JSON.parse(value) as unknown
  } catch {
    return undefined
  }
}

/**
 * `verdicts`: the inspection of each attachment by digest; a file that agents may not download (quarantined, or
 * awaiting its virus scan) is marked `withheld`, so the workspace says so instead of offering a link that fails.
 */
export function presentMessage(m: TicketMessageRow, attachments: AttachmentRow[], verdicts: ReadonlyMap<string, AttachmentVerdictRow> = new Map()) {
  const sanitized = m.html_body === null ? null : sanitizeHtml(m.html_body)
  return {
    id: m.id,
    direction: m.direction,
    messageId: m.message_id_header,
    inReplyTo: m.in_reply_to,
    from: m.from_address ? { address: m.from_address, name: m.from_name ?? '' } : null,
    to: JSON.parse(m.to_addresses) as unknown[],
    cc: JSON.parse(m.cc_addresses) as unknown[],
    subject: m.subject,
    sentAt: m.sent_at,
    receivedAt: m.received_at,
    text: m.text_body,
    // Agents and API clients only ever see sanitized HTML: no script, handlers, forms or remote images.
    html: sanitized?.html ?? null,
    /** Remote images held back in `html` (the workspace offers "Show images" only when there are some). */
    remoteImages: sanitized?.blockedImages ?? 0,
    /** The text split into what is new, the quoted history and the signature (the UI collapses the last two). */
    textParts: m.direction === 'inbound' && m.text_body ? splitQuotedReply(m.text_body) : null,
    agentId: m.agent_id,
    verdicts: optionalJsonField(m, 'verdicts'),
    findings: optionalJsonField(m, 'findings'),
    fields: optionalJsonField(m, 'fields'),
    warnings: JSON.parse(m.warnings) as unknown[],
    attachments: attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.content_type,
      disposition: a.disposition,
      sizeBytes: a.size_bytes,
      sha256: a.sha256,
      withheld: withheldBy(verdicts.get(a.sha256)),
    })),
  }
}

export function presentEvent(e: TicketEventRow) {
  return { type: e.type, actor: e.actor, data: JSON.parse(e.data) as unknown, createdAt: e.created_at }
}

function withheldBy(verdict: AttachmentVerdictRow | undefined): { verdict: string; reason: string | null } | null {
  return verdict && !isServableToAgents(verdict.verdict) ? { verdict: verdict.verdict, reason: verdict.reason } : null
}
