import { NotFoundError } from '../errors.ts'
import type { ParsedMessage } from '../pipeline/parse-message.ts'
import type { Db } from '../store/database.ts'
import { insertTicketEvent } from '../tickets/ticket-event.repository.ts'
import { findOutboundMessageAmong } from './outbound-message.repository.ts'
import type { OutboundMessageRow } from './outbound-message.table.ts'
import { bounceSeverity, parseDeliveryStatus, type BounceSeverity } from './delivery-status.ts'

export interface BounceOutcome {
  /** The ticket whose mail bounced: the pipeline stores the DSN there as a note. Undefined when it is not our mail. */
  ticketId: number | undefined
  outboundMessageId: number | undefined
  /** Undefined for reports that are not failures (delivered, relayed). */
  severity: BounceSeverity | undefined
  /** The recipient the report is about, lowercased. */
  recipient: string | undefined
  /** Enhanced status code, e.g. 5.1.1. */
  status: string | undefined
  /** True when this bounce blocked further mail to the customer's address. */
  customerBlocked: boolean
}

async function findBouncedMessage(db: Db, ids: string[], codes: string[]): Promise<OutboundMessageRow | undefined> {
  const byId = await findOutboundMessageAmong(db, ids)
  if (byId || codes.length === 0) return byId
  // The relay rewrote our Message-ID: the verification code in the returned body still names the message.
  return db.selectFrom('outbound_messages').selectAll().where('verification_code', 'in', codes).orderBy('id', 'desc').limit(1).executeTakeFirst()
}

/**
 * Handles a delivery status notification (RFC 3464) about our mail: marks the outbound message bounced, flags the
 * customer (a hard bounce blocks further mail) and returns the ticket to attach the report to. Undefined when the
 * message is not a DSN. Only a DSN naming a message we actually sent has any effect, so a forged report about an
 * address we never wrote to changes nothing.
 */
export async function handleBounce(db: Db, parsed: ParsedMessage, rawText: string, now: Date = new Date()): Promise<BounceOutcome | undefined> {
  const report = parseDeliveryStatus(rawText)
  if (!report) return undefined
  const failed = report.recipients.find((r) => bounceSeverity(r) !== undefined) ?? report.recipients[0]
  const severity = failed ? bounceSeverity(failed) : undefined
  const ids = [...new Set([...report.originalMessageIds, ...report.referencedMessageIds, ...(parsed.inReplyTo ? [parsed.inReplyTo] : []), ...parsed.references])]
  const outbound = await findBouncedMessage(db, ids, report.verificationCodes)
  const outcome: BounceOutcome = {
    ticketId: outbound?.ticket_id,
    outboundMessageId: outbound?.id,
    severity,
    recipient: failed?.finalRecipient,
    status: failed?.status || undefined,
    customerBlocked: false,
  }
  if (!outbound || !severity) return outcome
  // The report must be about the address we wrote to; a DSN for someone else's copy changes nothing here.
  if (failed && failed.finalRecipient !== outbound.to_address && failed.originalRecipient !== outbound.to_address) {
    return { ...outcome, severity: undefined }
  }
  const nowIso = now.toISOString()
  await db.transaction().execute(async (trx) => {
    if (failed?.action === 'failed') {
      await trx.updateTable('outbound_messages').set({ status: 'bounced', bounced_at: nowIso }).where('id', '=', outbound.id).execute()
    }
    await trx
      .updateTable('customers')
      .set({ bounced_at: nowIso, ...(severity === 'hard' ? { mail_blocked: 1 } : {}), updated_at: nowIso })
      .where('email', '=', outbound.to_address)
      .execute()
    await insertTicketEvent(trx, {
      ticketId: outbound.ticket_id,
      type: 'mail_bounced',
      data: { outboundMessageId: outbound.id, severity, status: failed?.status ?? null, action: failed?.action ?? null },
      now,
    })
  })
  return { ...outcome, customerBlocked: severity === 'hard' }
}

/**
 * Lets mail go to a customer's address again after an agent confirmed it through another channel.
 * @throws NotFoundError when there is no customer with this address.
 */
export async function unblockCustomerMail(db: Db, email: string, now: Date = new Date()): Promise<void> {
  const result = await db
    .updateTable('customers')
    .set({ mail_blocked: 0, updated_at: now.toISOString() })
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0) throw new NotFoundError('no customer with this address')
}
