import { createHash } from 'node:crypto'
import { inspectAttachment, inspectStoredAttachment, type AttachmentInspection } from '../attachments/inspect-attachment.ts'
import type { ClamdScanner } from '../attachments/clamd-scanner.ts'
import { recordAttachmentInspection } from '../attachments/attachment-verdict.repository.ts'
import { officialAddresses, type Brand, type Language } from '../brand.ts'
import type { RawMessageSummary } from '../intake/raw-message.repository.ts'
import { handleBounce } from '../notify/bounce.service.ts'
import { businessCalendarFromBrand } from '../sla/business-calendar.ts'
import type { BusinessCalendar } from '../sla/business-calendar.ts'
import { computeDueTimes, DEFAULT_SLA_POLICY, priorityAfterCustomerMessage, type SlaPolicy, type TicketPriority } from '../sla/sla-policy.ts'
import type { Db } from '../store/database.ts'
import type { AttachmentStore } from '../tickets/attachment-store.ts'
import { formatTicketNumber } from '../tickets/ticket-number.ts'
import { findTicketById } from '../tickets/ticket.repository.ts'
import {
  addMessageToTicket,
  createTicketFromMessage,
  recordDuplicateDelivery,
  UNKNOWN_SENDER,
  type InboundMessage,
} from '../tickets/ticket.service.ts'
import { authenticateSender, isForgedSender, type AuthenticationResult, type DnsResolver } from './authenticate-sender.ts'
import { isAutomaticReply, isBounce, shouldAutoReply, type AutoReplyDecision } from './auto-reply-policy.ts'
import { classifyMessage, type Classification } from './classify-message.ts'
import { detectLanguage } from './detect-language.ts'
import { extractFields, type ExtractedFields } from './extract-fields.ts'
import type { SpooledMessage } from './mime/spooled-message.ts'
import { parseMessage, type ParseLimits, type ParsedMessage, type StageWarning } from './parse-message.ts'
import { redactMessage, type RedactionSummary } from './redact-message.ts'
import { splitQuotedReply } from './split-quoted-reply.ts'
import { threadMessage } from './thread-message.ts'
import { judgeParsedMessage } from '../verifier/verify-email.ts'
import { brandProfile, type BrandProfile } from '../verifier/brand-profile.ts'
import { findForwardedMessage } from '../verifier/forwarded-message.ts'

/** What the stages need; none of it is HTTP or SMTP. */
export interface PipelineContext {
  limits: ParseLimits
  attachments: AttachmentStore
  brand: Brand
  /** HMAC key of our own Message-IDs and body markers. */
  secretKey: Buffer
  /** DNS for SPF/DKIM/DMARC; tests pass an offline zone. */
  resolver: DnsResolver
  /** Our host name in Authentication-Results. */
  mtaName: string
  /** Decrypts raw messages stored encrypted at rest (intake/raw-message-crypto.ts). */
  rawMessageKey: Buffer
  /** Where messages above 1 MiB are spooled as encrypted files (<data-dir>/spool/raw, intake/raw-message-file.ts). */
  rawFileDir?: string | undefined
  /** Optional virus scanner for attachments. */
  scanner?: ClamdScanner | undefined
  calendar: BusinessCalendar
  slaPolicy: SlaPolicy
}

/** The part of the context the database-free stages use (what a worker thread rebuilds, see analysis-pool.ts). */
export type AnalysisContext = Pick<PipelineContext, 'limits' | 'attachments' | 'brand' | 'resolver' | 'mtaName' | 'scanner'>

/** Builds the pipeline context for a brand with the default SLA policy and the brand's business calendar. */
export function createPipelineContext(input: Omit<PipelineContext, 'calendar' | 'slaPolicy' | 'mtaName'> & { slaPolicy?: SlaPolicy }): PipelineContext {
  return {
    ...input,
    mtaName: input.brand.officialDomains[0] ?? 'localhost',
    calendar: businessCalendarFromBrand(input.brand),
    slaPolicy: input.slaPolicy ?? DEFAULT_SLA_POLICY,
  }
}

export type MessageKind = 'message' | 'auto_reply' | 'bounce'

/** The result of the stages that need no database. `parsed` is already redacted. */
export interface AnalyzedMessage {
  parsed: ParsedMessage
  senderAddress: string
  attachmentDigests: string[]
  attachmentInspections: AttachmentInspection[]
  warnings: StageWarning[]
  authentication: AuthenticationResult
  impersonation: { verdict: string; reasons: string[] }
  redaction: RedactionSummary
  fields: ExtractedFields
  classification: Classification
  language: Language
  kind: MessageKind
  autoReply: AutoReplyDecision
  bodySha256: string | undefined
  /** The original text of a bounce, for the DSN parser (bounces are about our mail, not customer data). */
  bounceText: string | undefined
  /** Mail to security@: the reported message (the forwarded attachment when there is one), for phishing reports. */
  phishingEvidence: PhishingEvidence | undefined
}

/**
 * What mail to security@ reports. `fromReporter`: there was no attached original, so the From is the person who
 * forwarded it inline (or wrote to us), not the phisher, and must never become a campaign's sending domain.
 */
export interface PhishingEvidence {
  raw: Uint8Array
  fromReporter: boolean
}

export interface ProcessOutcome {
  status: 'created' | 'joined' | 'duplicate'
  ticketId: number
  ticketNumber: string
  messageId: number
  /** A new ticket that is owed an acknowledgement (sent after the commit). */
  acknowledgementDue: boolean
  /** A customer's re-send: remind them once of the ticket number they already have (sent after the commit). */
  reminderDue?: boolean
  /** Recorded as a phishing report after the commit (mail to security@). */
  phishingEvidence?: PhishingEvidence | undefined
}

export interface Envelope {
  mailFrom: string | null
  remoteAddress: string | null
  /** Envelope recipients (lowercased); empty for files and forms. */
  rcptTo: string[]
}

/**
 * A /feedback submission: its From is whatever address the visitor typed, so it is a new matter and never joins that
 * address's tickets (the form's answer would otherwise tell a stranger that an address owns [OKP-1001], and add
 * their text to it). Portal replies and chat lines come through the same spool with an identity proven by their
 * session, and their own channel. A mail claiming the header only makes itself less trusted.
 */
function isTypedIntoWebForm(source: string, message: ParsedMessage): boolean {
  return source === 'form' && message.headers.some((h) => h.key === 'x-maildesk-channel' && h.value.trim() === 'form')
}

const CHANNEL_BY_SOURCE: Record<string, string> = { smtp: 'email', file: 'email', imap: 'email', form: 'web', api: 'api' }
const SUBJECT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000 // a week: "same subject" later than that is a new matter
const RESEND_WINDOW_MS = 24 * 60 * 60 * 1000 // a day: the same text again within it is a re-send
const MIN_RESEND_TEXT_CHARS = 20 // "thanks" twice is not a re-send
const profiles = new WeakMap<Brand, BrandProfile>()

function senderOf(parsed: ParsedMessage, envelopeFrom: string | null, warnings: StageWarning[]): string {
  for (const candidate of [parsed.from?.address, envelopeFrom ?? undefined]) {
    if (candidate && candidate.length <= 320 && /^[^@\s]+@[^@\s]+$/.test(candidate)) return candidate.toLowerCase()
  }
  warnings.push({ code: 'SENDER_UNKNOWN' })
  return UNKNOWN_SENDER
}

function bodyHash(text: string | undefined): string | undefined {
  const normalized = (text ?? '').replace(/\s+/g, ' ').trim()
  return normalized.length >= MIN_RESEND_TEXT_CHARS ? createHash('sha256').update(normalized).digest('hex') : undefined
}

function profileOf(brand: Brand): BrandProfile {
  let profile = profiles.get(brand)
  if (!profile) profiles.set(brand, (profile = brandProfile(brand)))
  return profile
}

/**
 * Runs the stages that need no database, in order: parse → authenticate → redact → extract & classify; stores
 * attachment bytes (redacted where text-like) by content hash and inspects them.
 */
export async function analyzeMessage(ctx: AnalysisContext, message: Uint8Array | SpooledMessage, envelope: Envelope): Promise<AnalyzedMessage> {
  // A large spooled message is never whole in memory: its skeleton (large parts already stored) stands in for it,
  // and DKIM reads the file as a stream (pipeline/mime/spooled-message.ts).
  const spooled = message instanceof Uint8Array ? undefined : message
  const raw = spooled ? spooled.skeleton : (message as Uint8Array)
  const original = await parseMessage(raw, ctx.limits, spooled?.lifted)
  const warnings = [...original.warnings]
  const senderAddress = senderOf(original, envelope.mailFrom, warnings)

  const authentication = await authenticateSender(spooled ? spooled.openStream() : raw, {
    ...(envelope.remoteAddress ? { ip: envelope.remoteAddress } : {}),
    ...(envelope.mailFrom ? { mailFrom: envelope.mailFrom } : {}),
    mta: ctx.mtaName,
    resolver: ctx.resolver,
    brand: ctx.brand,
  })
  // Impersonation is judged on what the customer received, before redaction changes the text.
  const judged = judgeParsedMessage(profileOf(ctx.brand), original, authentication)
  const impersonation = { verdict: judged.verdict, reasons: judged.reasons.map((r) => r.code) }

  const contentType = original.headers.find((h) => h.key === 'content-type')?.value
  const kind: MessageKind = isBounce(original.headers, contentType)
    ? 'bounce'
    : isAutomaticReply(original.headers, original.subject)
      ? 'auto_reply'
      : 'message'
  const autoReply = shouldAutoReply({ headers: original.headers, from: senderAddress, ownAddresses: officialAddresses(ctx.brand), senderForged: isForgedSender(authentication) })
  const bounceText = kind === 'bounce' ? Buffer.from(raw).toString('utf8') : undefined
  const security = ctx.brand.addresses.security.toLowerCase()
  const toSecurity =
    envelope.rcptTo.includes(security) || [...original.to, ...original.cc].some((a) => a.address.toLowerCase() === security)
  const forwarded = toSecurity && kind === 'message' ? await findForwardedMessage(raw) : undefined
  const phishingEvidence: PhishingEvidence | undefined =
    toSecurity && kind === 'message' ? (forwarded ? { raw: forwarded, fromReporter: false } : { raw, fromReporter: true }) : undefined

  const { message: parsed, summary: redaction } = redactMessage(original)
  const newText = splitQuotedReply(parsed.text ?? '').newText
  // From the new text only: an address or ID in the quoted history is not the customer's own.
  const fields = extractFields(newText || (parsed.text ?? ''), { ignoreDomains: ctx.brand.officialDomains })
  const classification = classifyMessage({ subject: parsed.subject, text: newText || (parsed.text ?? '') })
  const language = detectLanguage(`${parsed.subject}\n${newText}`, ctx.brand.defaultLanguage)

  const attachmentDigests = await Promise.all(parsed.attachments.map((a) => (a.stored ? a.stored.sha256 : ctx.attachments.put(a.content))))
  const attachmentInspections = await Promise.all(
    parsed.attachments.map((a) =>
      a.stored
        ? inspectStoredAttachment({ filename: a.filename, declaredType: a.contentType, ...a.stored }, ctx.attachments, ctx.scanner)
        : inspectAttachment({ filename: a.filename, declaredType: a.contentType, bytes: a.content }, ctx.scanner),
    ),
  )
  for (const [i, inspection] of attachmentInspections.entries()) {
    if (inspection.verdict === 'quarantine') warnings.push({ code: 'ATTACHMENT_QUARANTINED', detail: `attachment ${i + 1}: ${inspection.reason ?? 'policy'}` })
  }

  return {
    parsed,
    senderAddress,
    attachmentDigests,
    attachmentInspections,
    warnings,
    authentication,
    impersonation,
    redaction,
    fields,
    classification,
    language,
    kind,
    autoReply,
    bodySha256: kind === 'message' ? bodyHash(newText || parsed.text) : undefined,
    bounceText,
    phishingEvidence,
  }
}

/** Threads the analyzed message and stores it: a new ticket, a follow-up, or a recorded re-delivery. */
export async function storeAnalyzedMessage(
  db: Db,
  ctx: PipelineContext,
  analyzed: AnalyzedMessage,
  raw: Pick<RawMessageSummary, 'id' | 'source' | 'received_at'>,
  now: Date,
): Promise<ProcessOutcome> {
  const number = (ticketId: number) => formatTicketNumber(ctx.brand.ticketPrefix, ticketId)
  const receivedAt = new Date(raw.received_at)
  for (const [i, digest] of analyzed.attachmentDigests.entries()) {
    const inspection = analyzed.attachmentInspections[i]
    if (inspection) await recordAttachmentInspection(db, digest, inspection, { now, retryDelayMs: 5 * 60_000 })
  }
  const inbound = (messageIdHeader: string | undefined, extraWarnings: StageWarning[] = []): InboundMessage => ({
    parsed: analyzed.parsed,
    messageIdHeader,
    senderAddress: analyzed.senderAddress,
    rawMessageId: raw.id,
    channel: CHANNEL_BY_SOURCE[raw.source] ?? 'email',
    receivedAt,
    attachmentDigests: analyzed.attachmentDigests,
    warnings: [...analyzed.warnings, ...extraWarnings],
    analysis: {
      verdicts: {
        authentication: analyzed.authentication.dmarc.result,
        spf: analyzed.authentication.spf.result,
        dkim: analyzed.authentication.dkim.find((d) => d.aligned)?.result ?? analyzed.authentication.dkim[0]?.result ?? 'none',
        arc: analyzed.authentication.arc.result,
        spoofed: analyzed.authentication.spoofed,
        impersonation: analyzed.impersonation,
      },
      findings: analyzed.redaction.counts,
      fields: { ...analyzed.fields, category: analyzed.classification.category, urgency: analyzed.classification.urgency },
      language: analyzed.language,
      kind: analyzed.kind,
      bodySha256: analyzed.bodySha256,
    },
  })

  // A bounce of our own mail belongs to the ticket whose mail bounced.
  if (analyzed.kind === 'bounce' && analyzed.bounceText !== undefined) {
    const bounce = await handleBounce(db, analyzed.parsed, analyzed.bounceText, now)
    if (bounce?.ticketId !== undefined) {
      const messageId = await addMessageToTicket(db, bounce.ticketId, inbound(analyzed.parsed.messageId), now)
      return { status: 'joined', ticketId: bounce.ticketId, ticketNumber: number(bounce.ticketId), messageId, acknowledgementDue: false }
    }
  }

  const decision = await threadMessage(
    db,
    { ticketPrefix: ctx.brand.ticketPrefix, secretKey: ctx.secretKey, now, subjectWindowMs: SUBJECT_WINDOW_MS, resendWindowMs: RESEND_WINDOW_MS },
    {
      message: analyzed.parsed,
      senderAddress: analyzed.senderAddress,
      senderUnproven: isForgedSender(analyzed.authentication) || isTypedIntoWebForm(raw.source, analyzed.parsed),
      bodySha256: analyzed.bodySha256,
    },
  )
  if (decision.kind === 'duplicate') {
    await recordDuplicateDelivery(db, decision.ticketId, decision.messageId, raw.id, now)
    return {
      status: 'duplicate',
      ticketId: decision.ticketId,
      ticketNumber: number(decision.ticketId),
      messageId: decision.messageId,
      acknowledgementDue: false,
      // A mail server delivering the same Message-ID twice is not the customer writing again; a new copy of the text is.
      reminderDue: decision.reason === 'same_body' && analyzed.kind === 'message' && analyzed.autoReply.allowed,
    }
  }
  if (decision.kind === 'join') {
    const ticket = await findTicketById(db, decision.ticketId)
    const raised = ticket
      ? priorityAfterCustomerMessage({
          priority: asPriority(ticket.priority),
          text: `${analyzed.parsed.subject}\n${analyzed.parsed.text ?? ''}`,
          isOverdue: ticket.due_at !== null && ticket.due_at < now.toISOString() && ticket.first_replied_at === null,
        })
      : undefined
    const messageId = await addMessageToTicket(db, decision.ticketId, inbound(analyzed.parsed.messageId), now, raised)
    return {
      status: 'joined',
      ticketId: decision.ticketId,
      ticketNumber: number(decision.ticketId),
      messageId,
      acknowledgementDue: false,
      phishingEvidence: analyzed.phishingEvidence,
    }
  }

  const priority: TicketPriority = analyzed.classification.urgency === 'urgent' ? 'urgent' : 'normal'
  const due = computeDueTimes(ctx.calendar, ctx.slaPolicy, { createdAt: receivedAt, priority })
  const ackOwed = analyzed.kind === 'message' && analyzed.autoReply.allowed
  const { ticketId, messageId } = await createTicketFromMessage(
    db,
    inbound(decision.dropMessageId ? undefined : analyzed.parsed.messageId, decision.dropMessageId ? [{ code: 'MESSAGE_ID_REUSED' }] : []),
    {
      category: analyzed.classification.category,
      priority,
      dueAt: due.firstResponseDueAt,
      ackStatus: ackOwed ? 'pending' : `skipped:${analyzed.kind !== 'message' ? analyzed.kind : (analyzed.autoReply.reason ?? 'policy')}`,
    },
    now,
  )
  return {
    status: 'created',
    ticketId,
    ticketNumber: number(ticketId),
    messageId,
    acknowledgementDue: ackOwed,
    phishingEvidence: analyzed.phishingEvidence,
  }
}

function asPriority(value: string): TicketPriority {
  return value === 'low' || value === 'high' || value === 'urgent' ? value : 'normal'
}
