import { officialAddresses, type Language } from '../brand.ts'
import { findCustomersByIds } from '../customers/customer.repository.ts'
import type { CustomerRow } from '../customers/customer.table.ts'
import { NotFoundError } from '../errors.ts'
import { addressDomain } from '../logger.ts'
import type { Db } from '../store/database.ts'
import { insertTicketEvent } from '../tickets/ticket-event.repository.ts'
import type { TicketRow } from '../tickets/ticket.table.ts'
import { listAntiPhishingCodes, listLastInboundMessagesOfTickets, listTicketsByIds, setPendingAckStatus, type ThreadingFacts } from './acknowledgement.repository.ts'
import { composeOutboundMessage, type ComposedMessage } from './compose-outbound-message.ts'
import {
  countOutboundToAddressesSince,
  hasOutboundOfKind,
  insertOutboundMessagesUnlessTaken,
  listOutboundKindsOfTickets,
} from './outbound-message.repository.ts'
import type { NewOutboundMessageRow, OutboundMessageRow, OutboundStatus } from './outbound-message.table.ts'
import { AUTO_REPLY_WINDOW_MS, AUTOMATIC_KINDS, CODE_ATTEMPTS, deliverOutboundMany, freshVerificationCodes, queuedOutboundRow, threadingOf, type OutboundDeps } from './outbound.service.ts'
import { generateVerificationCode } from './verification-code.ts'

export interface AcknowledgementInput {
  ticketId: number
  content: { subject: string; text: string; html: string }
  language: Language
  /**
   * acknowledgement (default): the one answer to a new ticket. notice: the one reminder of the existing ticket
   * number when the customer sends the same message again.
   */
  kind?: 'acknowledgement' | 'notice'
}

export type AcknowledgementSkipReason = 'already_acknowledged' | 'mail_blocked' | 'rate_limited' | 'own_address'

export interface AcknowledgementResult {
  /** True when the acknowledgement was stored for delivery (status says whether the transport took it yet). */
  sent: boolean
  reason?: AcknowledgementSkipReason
  outboundMessageId?: number
  messageIdHeader?: string
  status?: OutboundStatus
}

/** A member of a batch whose mail could not be composed: nothing was stored or sent for it, its ticket is left as it was. */
export interface AcknowledgementFailure {
  sent: false
  error: unknown
}

export interface AcknowledgementBatchOptions {
  /**
   * Sets tickets.ack_status ('sent', or 'skipped:<reason>') of the acknowledged tickets still 'pending', in the
   * transaction that stores their mail. A failed member keeps 'pending', for the scheduler's sweep.
   */
  recordAckStatus?: boolean
  /** Ticket and customer rows the caller has read already, by id; any others are read here. */
  known?: { tickets: Map<number, TicketRow>; customers: Map<number, CustomerRow> }
}

/**
 * Sends the acknowledgement of a new ticket, at most one per ticket, unless the address is blocked, is one of
 * ours, or already got MAILDESK_AUTO_REPLY_LIMIT automatic mails in the last 24 hours (loop and flood safety).
 * @throws NotFoundError for an unknown ticket; the composing error when the mail cannot be composed.
 */
export async function sendAcknowledgement(deps: OutboundDeps, input: AcknowledgementInput): Promise<AcknowledgementResult> {
  const [outcome] = await sendAcknowledgements(deps, [input])
  if (outcome && 'error' in outcome) throw outcome.error
  if (!outcome) throw new Error('no acknowledgement outcome')
  return outcome
}

/** One mail of a batch that passed the checks. */
interface Planned {
  index: number
  input: AcknowledgementInput
  kind: 'acknowledgement' | 'notice'
  ticket: TicketRow
  customer: CustomerRow
  threading: ThreadingFacts | undefined
  antiPhishingCode: string | undefined
}

/**
 * Acknowledges several tickets together, with the same rules and results as sendAcknowledgement one after the other
 * in input order (an address's remaining automatic-mail slots go to its earlier tickets first). The rows are read
 * a few queries for the batch; every queued message and its ticket event are stored in one transaction, whose
 * durable commit comes before any mail leaves (a crash then leaves queued rows that retryFailedOutbound sends, never
 * a mail sent twice or without its row); the mail is signed and written together, and all outcomes are recorded in
 * one more transaction. Per mail, that used to be four commits with a full fsync each, a synchronous DKIM signature
 * and a synchronous outbox write, all on the event loop. The unique index still decides between processes: a
 * ticket another process acknowledged meanwhile is 'already_acknowledged'.
 * @throws NotFoundError when a ticket or its customer does not exist (nothing is sent then).
 */
export async function sendAcknowledgements(
  deps: OutboundDeps,
  inputs: AcknowledgementInput[],
  options: AcknowledgementBatchOptions = {},
): Promise<Array<AcknowledgementResult | AcknowledgementFailure>> {
  const { db, config, log } = deps
  const now = deps.now()
  const outcomes = new Array<AcknowledgementResult | AcknowledgementFailure>(inputs.length)
  const { tickets, customers } = await loadTicketsAndCustomers(db, inputs, options.known)

  const ticketIds = [...new Set(inputs.map((i) => i.ticketId))]
  const kinds = [...new Set(inputs.map((i) => i.kind ?? 'acknowledgement'))]
  const had = await listOutboundKindsOfTickets(db, ticketIds, kinds)
  const addresses = [...new Set([...customers.values()].map((c) => c.email.toLowerCase()))]
  const recent = await countOutboundToAddressesSince(db, addresses, AUTOMATIC_KINDS, new Date(now.getTime() - AUTO_REPLY_WINDOW_MS))
  const skipped = new Map<number, AcknowledgementSkipReason>()
  const skip = (index: number, ticket: TicketRow, customer: CustomerRow, reason: AcknowledgementSkipReason): void => {
    log.info({ ticketId: ticket.id, reason, recipientDomain: addressDomain(customer.email) }, 'acknowledgement not sent')
    outcomes[index] = { sent: false, reason }
    skipped.set(index, reason)
  }
  const checked: Array<Omit<Planned, 'threading' | 'antiPhishingCode'>> = []
  for (const [index, input] of inputs.entries()) {
    const ticket = tickets.get(input.ticketId)
    if (!ticket) throw new NotFoundError('ticket not found')
    const customer = customers.get(ticket.customer_id)
    if (!customer) throw new NotFoundError('the customer of this ticket was not found')
    const kind = input.kind ?? 'acknowledgement'
    const address = customer.email.toLowerCase()
    if (customer.mail_blocked) skip(index, ticket, customer, 'mail_blocked')
    else if (officialAddresses(config.brand).includes(address)) skip(index, ticket, customer, 'own_address')
    else if (had.has(`${ticket.id}:${kind}`)) skip(index, ticket, customer, 'already_acknowledged')
    else if ((recent.get(address) ?? 0) >= config.autoReplyLimit) skip(index, ticket, customer, 'rate_limited')
    else {
      // Counted as sent from here on, for the next tickets of the batch (an insert that loses a race with another
      // process below leaves the slot taken for this batch: one mail fewer, never one more).
      recent.set(address, (recent.get(address) ?? 0) + 1)
      had.add(`${ticket.id}:${kind}`)
      checked.push({ index, input, kind, ticket, customer })
    }
  }

  const threading = new Map((await listLastInboundMessagesOfTickets(db, checked.map((p) => p.ticket.id))).map((m) => [m.ticket_id, m]))
  const antiPhishingCodes = await listAntiPhishingCodes(db, [...new Set(checked.map((p) => p.customer.id))])
  const planned: Planned[] = checked.map((p) => ({ ...p, threading: threading.get(p.ticket.id), antiPhishingCode: antiPhishingCodes.get(p.customer.id) }))
  const codes = await freshVerificationCodes(db, planned.length)
  // In the analysis pool's threads when the runtime has them (deps.compose), all of the batch at once.
  const composeWith = deps.compose ?? composeOutboundMessage
  const compose = (p: Planned, verificationCode: string): Promise<ComposedMessage> =>
    composeWith({
      brand: config.brand,
      secretKey: config.secretKey,
      publicUrl: config.publicUrl,
      ticketId: p.ticket.id,
      kind: p.kind,
      to: { address: p.customer.email, name: p.customer.display_name },
      subject: p.input.content.subject,
      text: p.input.content.text,
      html: p.input.content.html,
      language: p.input.language,
      ...threadingOf(p.threading),
      antiPhishingCode: p.antiPhishingCode,
      verificationCode,
      now,
    })
  const rowOf = (p: Planned, composed: ComposedMessage, verificationCode: string): NewOutboundMessageRow =>
    queuedOutboundRow(composed, { ticketId: p.ticket.id, kind: p.kind, toAddress: p.customer.email, verificationCode }, now)
  const composedMail: Array<{ plan: Planned; composed: ComposedMessage; row: NewOutboundMessageRow }> = []
  const verificationCodes = planned.map((_, i) => codes[i] ?? generateVerificationCode())
  const attempts = await Promise.allSettled(planned.map((plan, i) => compose(plan, verificationCodes[i] as string)))
  for (const [i, plan] of planned.entries()) {
    const attempt = attempts[i] as PromiseSettledResult<ComposedMessage>
    if (attempt.status === 'fulfilled') {
      composedMail.push({ plan, composed: attempt.value, row: rowOf(plan, attempt.value, verificationCodes[i] as string) })
    } else {
      log.error({ err: attempt.reason, ticketId: plan.ticket.id }, 'acknowledgement could not be composed')
      outcomes[plan.index] = { sent: false, error: attempt.reason }
    }
  }

  // One durable commit for every row of the batch, before any of its mail leaves.
  const stored = await db.transaction().execute(async (trx) => {
    const inserted = new Map((await insertOutboundMessagesUnlessTaken(trx, composedMail.map((m) => m.row))).map((r) => [r.message_id_header, r]))
    const out: Array<{ plan: Planned; row: OutboundMessageRow; messageIdHeader: string }> = []
    for (const { plan, composed, row } of composedMail) {
      let storedRow = inserted.get(row.message_id_header)
      let messageIdHeader = composed.messageIdHeader
      // Left out by a unique index: the ticket's acknowledgement (another process was first), or a verification
      // code taken since we looked (composed again with a new one).
      for (let attempt = 1; !storedRow; attempt++) {
        if (await hasOutboundOfKind(trx, plan.ticket.id, plan.kind)) break
        if (attempt >= CODE_ATTEMPTS) throw new Error(`no unused verification code after ${CODE_ATTEMPTS} tries`)
        const verificationCode = generateVerificationCode()
        const again = await compose(plan, verificationCode)
        storedRow = (await insertOutboundMessagesUnlessTaken(trx, [rowOf(plan, again, verificationCode)]))[0]
        messageIdHeader = again.messageIdHeader
      }
      if (!storedRow) {
        skip(plan.index, plan.ticket, plan.customer, 'already_acknowledged')
        continue
      }
      await insertTicketEvent(trx, { ticketId: plan.ticket.id, type: `${plan.kind}_sent`, data: { outboundMessageId: storedRow.id }, now })
      out.push({ plan, row: storedRow, messageIdHeader })
    }
    if (options.recordAckStatus) {
      const byStatus = new Map<string, number[]>()
      const mark = (input: AcknowledgementInput, status: string): void => {
        if ((input.kind ?? 'acknowledgement') === 'acknowledgement') byStatus.set(status, [...(byStatus.get(status) ?? []), input.ticketId])
      }
      for (const s of out) mark(s.plan.input, 'sent')
      for (const [index, reason] of skipped) {
        const input = inputs[index]
        if (input) mark(input, `skipped:${reason}`)
      }
      for (const [status, ids] of byStatus) await setPendingAckStatus(trx, ids, status)
    }
    return out
  })

  const statuses = await deliverOutboundMany(
    deps,
    stored.map((s) => s.row),
  )
  for (const [i, s] of stored.entries()) {
    outcomes[s.plan.index] = { sent: true, outboundMessageId: s.row.id, messageIdHeader: s.messageIdHeader, status: statuses[i] }
  }
  return outcomes
}

async function loadTicketsAndCustomers(
  db: Db,
  inputs: AcknowledgementInput[],
  known: AcknowledgementBatchOptions['known'],
): Promise<{ tickets: Map<number, TicketRow>; customers: Map<number, CustomerRow> }> {
  const tickets = new Map(known?.tickets)
  const missingTickets = [...new Set(inputs.map((i) => i.ticketId).filter((id) => !tickets.has(id)))]
  for (const t of await listTicketsByIds(db, missingTickets)) tickets.set(t.id, t)
  const customers = new Map(known?.customers)
  const missingCustomers = [...new Set([...tickets.values()].map((t) => t.customer_id).filter((id) => !customers.has(id)))]
  for (const c of await findCustomersByIds(db, missingCustomers)) customers.set(c.id, c)
  return { tickets, customers }
}
