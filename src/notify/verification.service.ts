import type { Db } from '../store/database.ts'
import { findOutboundSummaryByVerificationCode } from './outbound-message.repository.ts'
import { maskEmailAddress, normalizeVerificationCode } from './verification-code.ts'

/** Codes older than this are answered like unknown ones: a year covers any mail a customer still worries about. */
export const VERIFICATION_CODE_VALID_DAYS = 365

export interface VerifiedOutbound {
  sentAt: Date
  subject: string
  /** j***@example.com */
  maskedRecipient: string
}

/**
 * What the verifier may say about a genuine message by its footer code: when, what subject, to whom (masked).
 * Undefined for unknown, malformed and expired codes alike.
 */
export async function findOutboundByVerificationCode(db: Db, code: string, now: Date = new Date()): Promise<VerifiedOutbound | undefined> {
  const normalized = normalizeVerificationCode(code)
  if (!normalized) return undefined
  const row = await findOutboundSummaryByVerificationCode(db, normalized)
  if (!row) return undefined
  const sentAt = new Date(row.sent_at ?? row.created_at)
  if (now.getTime() - sentAt.getTime() > VERIFICATION_CODE_VALID_DAYS * 24 * 60 * 60 * 1000) return undefined
  return { sentAt, subject: row.subject, maskedRecipient: maskEmailAddress(row.to_address) }
}
