import MailComposer from 'nodemailer/lib/mail-composer'
import type { Brand, Language } from '../brand.ts'
import { formatTicketNumber } from '../tickets/ticket-number.ts'
import type { OutboundKind } from './outbound-message.table.ts'
import { escapeHtml } from '../escape-html.ts'
import { antiPhishingLine, textToHtml, verifyLine } from './outbound-text.ts'
import { createOwnMarker, createOwnMessageId } from './own-message-id.ts'

export interface ComposeOutboundInput {
  brand: Brand
  /** Signs the Message-ID and the body marker. */
  secretKey: Buffer
  /** Origin of the public verifier page, without a trailing slash. */
  publicUrl: string
  ticketId: number
  kind: OutboundKind
  to: { address: string; name?: string | null | undefined }
  /** Subject without the ticket token; `[OKP-1042]` is added unless already there. */
  subject: string
  text: string
  /** A fragment or a whole document; made from `text` when absent. */
  html?: string | undefined
  language: Language
  /** The customer's last Message-ID, and the References of that message. */
  inReplyTo?: string | undefined
  references?: string[] | undefined
  /** Printed at the top of every genuine email when the customer has set one. */
  antiPhishingCode?: string | null | undefined
  /** The per-message code printed in the footer; unique in outbound_messages. */
  verificationCode: string
  now: Date
}

export interface ComposedMessage {
  messageIdHeader: string
  subject: string
  from: string
  envelope: { from: string; to: string[] }
  /** The whole RFC 5322 message, not yet DKIM-signed. */
  raw: Buffer
}

/** Automatic mail must not trigger other robots (RFC 3834; Exchange honours X-Auto-Response-Suppress). */
export function isAutomaticKind(kind: OutboundKind): boolean {
  return kind !== 'reply'
}

const MAX_REFERENCES = 20 // long threads: keep the first and the newest, as RFC 5322 §3.6.4 suggests

/** Adds `[OKP-1042]` to a subject unless the token is already in it. */
export function subjectWithTicketToken(subject: string, ticketNumber: string): string {
  const token = `[${ticketNumber}]`
  const clean = subject.replace(/[\r\n]+/g, ' ').trim()
  return clean.toUpperCase().includes(token.toUpperCase()) ? clean : `${clean} ${token}`.trim()
}

function mailbox(brand: Brand, kind: OutboundKind): string {
  // Replies and acknowledgements come from support@ so that answering them (e.g. with the missing transaction ID)
  // reaches the ticket; notices and surveys come from noreply@ with Reply-To support@.
  return kind === 'notice' || kind === 'survey' ? brand.addresses.noreply : brand.addresses.support
}

function insertIntoHtml(html: string, top: string, bottom: string): string {
  const bodyOpen = /<body[^>]*>/i.exec(html)
  const bodyCloseAt = html.search(/<\/body>/i)
  if (!bodyOpen || bodyCloseAt < 0) return `${top}${html}${bottom}`
  const start = bodyOpen.index + bodyOpen[0].length
  return `${html.slice(0, start)}${top}${html.slice(start, bodyCloseAt)}${bottom}${html.slice(bodyCloseAt)}`
}

/**
 * Composes one outbound message: our From, the ticket token in the subject, threading headers, the anti-phishing
 * code at the top, the verification link and the hidden HMAC marker at the bottom, text and HTML.
 */
export async function composeOutboundMessage(input: ComposeOutboundInput): Promise<ComposedMessage> {
  const { brand, language } = input
  const domain = brand.officialDomains[0] ?? 'localhost'
  const ticketNumber = formatTicketNumber(brand.ticketPrefix, input.ticketId)
  const messageIdHeader = createOwnMessageId(input.ticketId, domain, input.secretKey)
  const marker = `Ref: ${createOwnMarker(brand.ticketPrefix, input.ticketId, input.secretKey)}`
  const verifyUrl = `${input.publicUrl}/verify?code=${encodeURIComponent(input.verificationCode)}`
  const subject = subjectWithTicketToken(input.subject, ticketNumber)
  const fromAddress = mailbox(brand, input.kind)
  const antiPhishing = input.antiPhishingCode ? antiPhishingLine(language, input.antiPhishingCode) : undefined

  const text = [
    ...(antiPhishing ? [antiPhishing, ''] : []),
    input.text.trimEnd(),
    '',
    '--',
    verifyLine(language, verifyUrl),
    marker,
    '',
  ].join('\n')

  const htmlTop = antiPhishing
    ? `<p style="margin:0 0 16px;padding:8px 12px;border:1px solid #c9d7e8;background:#f3f7fc;font-family:sans-serif">${escapeHtml(antiPhishing)}</p>\n`
    : ''
  const htmlBottom =
    `\n<hr style="border:0;border-top:1px solid #ddd;margin:24px 0 8px">\n` +
    `<p style="font-family:sans-serif;font-size:12px;color:#666">${escapeHtml(verifyLine(language, '{url}')).replace('{url}', `<a href="${escapeHtml(verifyUrl)}">${escapeHtml(verifyUrl)}</a>`)}</p>\n` +
    // Hidden from readers, kept by replies that quote the HTML: threads the reply when the Message-ID was rewritten.
    `<span style="display:none!important;mso-hide:all;font-size:0;max-height:0;overflow:hidden;color:transparent">${escapeHtml(marker)}</span>\n`
  const html = insertIntoHtml(input.html ?? textToHtml(input.text), htmlTop, htmlBottom)

  const references = [...(input.references ?? []), ...(input.inReplyTo ? [input.inReplyTo] : [])]
  const uniqueReferences = [...new Set(references)]
  const trimmedReferences =
    uniqueReferences.length > MAX_REFERENCES ? [uniqueReferences[0] ?? '', ...uniqueReferences.slice(-(MAX_REFERENCES - 1))] : uniqueReferences

  const headers: Record<string, string> = { 'Content-Language': language }
  if (isAutomaticKind(input.kind)) {
    headers['Auto-Submitted'] = 'auto-replied'
    headers['X-Auto-Response-Suppress'] = 'All'
  }
  const from = `"${brand.name.replace(/["\\]/g, '')}" <${fromAddress}>`
  const composer = new MailComposer({
    from,
    to: input.to.name ? { name: input.to.name, address: input.to.address } : input.to.address,
    ...(fromAddress === brand.addresses.support ? {} : { replyTo: brand.addresses.support }),
    subject,
    text,
    html,
    messageId: messageIdHeader,
    date: input.now,
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo } : {}),
    ...(trimmedReferences.length > 0 ? { references: trimmedReferences } : {}),
    headers,
    textEncoding: 'quoted-printable',
  })
  const raw = await composer.compile().build()
  return { messageIdHeader, subject, from: fromAddress, envelope: { from: fromAddress, to: [input.to.address] }, raw }
}
