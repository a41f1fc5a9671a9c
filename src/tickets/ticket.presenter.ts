import type { CustomerRow } from '../customers/customer.table.ts'
import type { AttachmentRow } from './attachment.table.ts'
import type { TicketEventRow } from './ticket-event.table.ts'
import type { TicketMessageRow } from './ticket-message.table.ts'
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
  }
}

export function presentMessage(m: TicketMessageRow, attachments: AttachmentRow[]) {
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
    html: m.html_body,
    warnings: JSON.parse(m.warnings) as unknown[],
    attachments: attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.content_type,
      disposition: a.disposition,
      sizeBytes: a.size_bytes,
      sha256: a.sha256,
    })),
  }
}

export function presentEvent(e: TicketEventRow) {
  return { type: e.type, actor: e.actor, data: JSON.parse(e.data) as unknown, createdAt: e.created_at }
}
