import { type Address as PostalAddress, type Attachment as PostalAttachment, type Email } from 'postal-mime'
import { NotAnEmailError } from '../errors.ts'
import { htmlToText } from './html-text.ts'
import { parseWithCharsetFallback } from './mime/charset-aware-parser.ts'
import { repairC1Controls } from './mime/charset.ts'
import { transcodeEightBitHeaders } from './mime/header-8bit.ts'
import type { LiftedParts } from './mime/lift-large-parts.ts'
import { decodeTnef, looksLikeTnef, TnefError } from './mime/tnef.ts'

export interface MailAddress {
  address: string
  name: string
}

export interface ParsedAttachment {
  filename: string
  contentType: string
  disposition: 'attachment' | 'inline'
  contentId: string | undefined
  /** The bytes; empty for a part already in the attachment store (`stored`). */
  content: Uint8Array
  /**
   * Set for a large part of a large message, decoded from the spooled stream straight into the attachment store
   * (mime/lift-large-parts.ts) and never whole in memory: its digest there and its size.
   */
  stored?: { sha256: string; sizeBytes: number }
}

/** An attachment's size in bytes, whether its bytes are in memory or already stored. */
export function attachmentSize(a: ParsedAttachment): number {
  return a.stored ? a.stored.sizeBytes : a.content.byteLength
}

/** Expected trouble is data: a warning on the result, never an exception. */
export interface StageWarning {
  code: string
  detail?: string
}

export interface ParsedMessage {
  messageId: string | undefined
  inReplyTo: string | undefined
  references: string[]
  from: MailAddress | undefined
  replyTo: MailAddress[]
  to: MailAddress[]
  cc: MailAddress[]
  subject: string
  sentAt: Date | undefined
  headers: Array<{ key: string; value: string }>
  text: string | undefined
  html: string | undefined
  attachments: ParsedAttachment[]
  warnings: StageWarning[]
}

export interface ParseLimits {
  maxAttachments: number
  maxAttachmentBytes: number
}

const MAX_SUBJECT_CHARS = 998 // RFC 5322 line length; longer subjects are cut, with a warning
const MAX_HEADER_VALUE_CHARS = 8192

/** Message-IDs are compared without angle brackets or case-sensitive noise in the brackets. */
export function normalizeMessageId(value: string | undefined): string | undefined {
  if (!value) return undefined
  const match = /<([^<>\s]+)>/.exec(value)
  const id = (match ? match[1] : value.trim().split(/\s+/)[0]) ?? ''
  return id.length > 0 && id.length <= 512 ? `<${id}>` : undefined
}

function parseIdList(value: string | undefined): string[] {
  if (!value) return []
  const ids = value.match(/<[^<>\s]+>/g) ?? []
  return ids.slice(0, 100).map((id) => normalizeMessageId(id)).filter((id): id is string => id !== undefined)
}

function flattenAddresses(list: PostalAddress[] | undefined): MailAddress[] {
  const out: MailAddress[] = []
  for (const entry of list ?? []) {
    if ('group' in entry && Array.isArray(entry.group)) {
      for (const member of entry.group) if (member.address) out.push({ address: member.address, name: repairC1Controls(member.name) })
    } else if (entry.address) {
      out.push({ address: entry.address, name: repairC1Controls(entry.name) })
    }
  }
  return out.slice(0, 500)
}

/**
 * Rejects input that is not an email at all. Anything with a header block is accepted, however broken:
 * malformed mail is stored with warnings, not refused.
 */
export function assertLooksLikeEmail(raw: Uint8Array): void {
  if (raw.length === 0) throw new NotAnEmailError('the file is empty')
  const head = Buffer.from(raw.subarray(0, Math.min(raw.length, 4096))).toString('latin1')
  // Only the header block must be text: a body may carry a binary part with NUL bytes.
  const blankLine = head.search(/\r?\n\r?\n/)
  const headerBlock = blankLine >= 0 ? head.slice(0, blankLine) : head
  if (headerBlock.includes('\u0000')) throw new NotAnEmailError('the data is binary (it contains NUL bytes), not an RFC 5322 message')
  const lines = headerBlock.split(/\r?\n/).slice(0, 50)
  const firstLine = lines[0] ?? ''
  if (/^(From |[!-9;-~]+:)/.test(firstLine)) return
  // A mangled first field ("Fro :…") in an otherwise ordinary header block is malformed mail, not a
  // different kind of file: accept it when most of the block is header fields or their continuations.
  const fieldLines = lines.filter((line) => /^[!-9;-~]+:/.test(line)).length
  const continuationLines = lines.filter((line) => /^[ \t]/.test(line)).length
  if (fieldLines >= 2 && (fieldLines + continuationLines) * 2 >= lines.length) return
  throw new NotAnEmailError('the data does not start with a header field ("Name: value"), so it is not an email')
}

/**
 * raw bytes → ParsedMessage. Uses postal-mime; never throws for malformed mail (see warnings).
 * `lifted`: `raw` is the skeleton of a large message whose large parts liftLargeParts() already stored.
 * @throws NotAnEmailError when the bytes are not an email at all.
 */
export async function parseMessage(raw: Uint8Array, limits: ParseLimits, lifted?: LiftedParts): Promise<ParsedMessage> {
  assertLooksLikeEmail(raw)
  const warnings: StageWarning[] = []
  const transcoded = transcodeEightBitHeaders(raw)
  if (transcoded.decodedAs) {
    warnings.push({ code: 'HEADER_8BIT_DECODED', detail: `${transcoded.lineCount} header lines decoded as ${transcoded.decodedAs}` })
  }
  if (transcoded.relabelled.length > 0) {
    warnings.push({ code: 'CHARSET_FALLBACK', detail: `encoded words relabelled: ${transcoded.relabelled.join(', ')}` })
  }
  let email: Email
  try {
    const parsed = await parseWithCharsetFallback(transcoded.raw, { maxNestingDepth: 50, maxHeadersSize: 1024 * 1024 })
    email = parsed.email
    for (const detail of new Set(parsed.report.fallbacks)) warnings.push({ code: 'CHARSET_FALLBACK', detail })
  } catch (err) {
    // postal-mime refuses over-deep nesting and oversized headers; keep what a plain read gives.
    warnings.push({ code: 'PARSE_FAILED', detail: (err instanceof Error ? err.message : String(err)).slice(0, 200) })
    return fallbackParse(transcoded.raw, warnings)
  }

  // Apple Mail writes decomposed accents (NFD); search and threading compare composed text.
  let subject = repairC1Controls(email.subject ?? '').normalize('NFC')
  if (subject.length > MAX_SUBJECT_CHARS) {
    warnings.push({ code: 'SUBJECT_TRUNCATED', detail: `${subject.length} characters` })
    subject = subject.slice(0, MAX_SUBJECT_CHARS)
  }
  const sentAt = email.date ? new Date(email.date) : undefined
  if (email.date && (!sentAt || Number.isNaN(sentAt.getTime()))) warnings.push({ code: 'DATE_INVALID' })

  const fromList = flattenAddresses(email.from ? [email.from] : undefined)
  if (!email.from) warnings.push({ code: 'FROM_MISSING' })

  const attachments: ParsedAttachment[] = []
  let text = email.text
  let html = email.html
  for (const a of unpackTnefAttachments(email.attachments, limits, warnings)) {
    if ('tnefBody' in a) {
      // A Rich Text mail from Outlook carries its body only inside winmail.dat.
      if (!text?.trim() && a.tnefBody.text) text = a.tnefBody.text
      if (!html?.trim() && a.tnefBody.html) html = a.tnefBody.html
      continue
    }
    const liftedPart = lifted?.find(a.content)
    const content = liftedPart ? new Uint8Array(0) : contentBytes(a.content)
    const sizeBytes = liftedPart ? liftedPart.sizeBytes : content.byteLength
    if (attachments.length >= limits.maxAttachments) {
      // The detail names the first file left out, so the acknowledgement can tell the customer.
      warnings.push({ code: 'ATTACHMENT_COUNT_LIMIT', detail: (a.filename ?? '').slice(0, 255) || 'attachment' })
      break
    }
    if (sizeBytes > limits.maxAttachmentBytes || (liftedPart && !liftedPart.sha256)) {
      warnings.push({ code: 'ATTACHMENT_TOO_LARGE', detail: (a.filename ?? '').slice(0, 255) || 'attachment' })
      continue
    }
    attachments.push({
      filename: (a.filename ?? '').slice(0, 255) || defaultFilename(a.mimeType, attachments.length + 1),
      contentType: (a.mimeType || 'application/octet-stream').toLowerCase().slice(0, 255),
      disposition: a.disposition === 'inline' ? 'inline' : 'attachment',
      contentId: a.contentId?.slice(0, 255),
      content,
      ...(liftedPart?.sha256 ? { stored: { sha256: liftedPart.sha256, sizeBytes } } : {}),
    })
  }

  // A message with only an HTML body: its visible text is the text that search, classification and extraction read
  // (postal-mime gives none; the agent still sees the sanitized HTML).
  if (!text?.trim() && html?.trim()) text = htmlToText(html) || undefined
  text = capBody(text, 'text', attachments, limits, warnings)
  html = capBody(html, 'html', attachments, limits, warnings)

  return {
    messageId: normalizeMessageId(email.messageId),
    inReplyTo: normalizeMessageId(email.inReplyTo),
    references: parseIdList(email.references),
    from: fromList[0],
    replyTo: flattenAddresses(email.replyTo),
    to: flattenAddresses(email.to),
    cc: flattenAddresses(email.cc),
    subject,
    sentAt: sentAt && !Number.isNaN(sentAt.getTime()) ? sentAt : undefined,
    headers: email.headers.slice(0, 500).map((h) => ({ key: h.key, value: h.value.slice(0, MAX_HEADER_VALUE_CHARS) })),
    text,
    html,
    attachments,
    warnings,
  }
}

/**
 * A body longer than this many characters is cut for the ticket: every later stage (redaction, classification, the
 * search index, the database row, the agent's screen) holds it whole, and a 20 MB text body took 735 MB of memory to
 * ingest. Nothing is lost: the whole body becomes an attachment (within the attachment limits), with a warning.
 */
export const MAX_BODY_CHARS = 1_000_000

function capBody(body: string | undefined, kind: 'text' | 'html', attachments: ParsedAttachment[], limits: ParseLimits, warnings: StageWarning[]): string | undefined {
  if (body === undefined || body.length <= MAX_BODY_CHARS) return body
  const filename = kind === 'text' ? 'message-text.txt' : 'message.html'
  const content = new Uint8Array(Buffer.from(body, 'utf8'))
  const attached = attachments.length < limits.maxAttachments && content.byteLength <= limits.maxAttachmentBytes
  if (attached) attachments.push({ filename, contentType: kind === 'text' ? 'text/plain' : 'text/html', disposition: 'attachment', contentId: undefined, content })
  warnings.push({
    code: 'BODY_TRUNCATED',
    detail: `${kind} body of ${body.length} characters cut at ${MAX_BODY_CHARS}; ${attached ? `the whole body is attached as ${filename}` : 'the whole body is in the raw message only (over the attachment limits)'}`,
  })
  // Not inside a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(body[MAX_BODY_CHARS - 1] ?? '') ? MAX_BODY_CHARS - 1 : MAX_BODY_CHARS
  return body.slice(0, end)
}

const TNEF_TYPES = new Set(['application/ms-tnef', 'application/vnd.ms-tnef'])

type UnpackedAttachment = Pick<PostalAttachment, 'filename' | 'mimeType' | 'disposition' | 'contentId' | 'content'> | { tnefBody: { text: string | undefined; html: string | undefined } }

function contentBytes(content: PostalAttachment['content']): Uint8Array {
  return content instanceof ArrayBuffer ? new Uint8Array(content) : typeof content === 'string' ? Buffer.from(content) : content
}

/**
 * winmail.dat (TNEF) is replaced by the attachments inside it, so agents get the PDF rather than a file
 * only Outlook opens. When it cannot be read, it stays as it is, with a TNEF_UNREADABLE warning.
 */
function* unpackTnefAttachments(list: PostalAttachment[], limits: ParseLimits, warnings: StageWarning[]): Generator<UnpackedAttachment> {
  for (const a of list) {
    const isTnef = TNEF_TYPES.has(a.mimeType.toLowerCase()) || /^winmail\.dat$/i.test(a.filename ?? '')
    if (!isTnef) {
      yield a
      continue
    }
    const bytes = contentBytes(a.content)
    try {
      if (!looksLikeTnef(bytes)) throw new TnefError('missing TNEF signature')
      const tnef = decodeTnef(bytes, limits.maxAttachments)
      yield { tnefBody: { text: tnef.text, html: tnef.html } }
      for (const inner of tnef.attachments) {
        yield {
          filename: inner.filename,
          mimeType: inner.contentType ?? contentTypeForFilename(inner.filename),
          disposition: inner.contentId ? 'inline' : 'attachment',
          contentId: inner.contentId ? `<${inner.contentId.replace(/^<|>$/g, '')}>` : undefined,
          content: inner.content,
        }
      }
    } catch (err) {
      if (!(err instanceof TnefError)) throw err
      warnings.push({ code: 'TNEF_UNREADABLE', detail: err.message.slice(0, 200) })
      yield a
    }
  }
}

const CONTENT_TYPES_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  txt: 'text/plain',
  csv: 'text/csv',
  htm: 'text/html',
  html: 'text/html',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  zip: 'application/zip',
  eml: 'message/rfc822',
}

/** TNEF attachments rarely record a MIME type; the extension is the best evidence there is. */
function contentTypeForFilename(filename: string): string {
  const extension = /\.([a-z0-9]{1,5})$/i.exec(filename)?.[1]?.toLowerCase() ?? ''
  return CONTENT_TYPES_BY_EXTENSION[extension] ?? 'application/octet-stream'
}

function defaultFilename(contentType: string, n: number): string {
  const ext = contentType.split('/')[1]?.replace(/[^a-z0-9]/gi, '') || 'bin'
  return `attachment-${n}.${ext}`
}

/** A last-resort read of a message postal-mime refused: header fields and the body as text. */
function fallbackParse(raw: Uint8Array, warnings: StageWarning[]): ParsedMessage {
  const text = Buffer.from(raw).toString('utf8')
  const split = text.search(/\r?\n\r?\n/)
  const headerBlock = split >= 0 ? text.slice(0, split) : text
  const body = split >= 0 ? text.slice(split).trim() : ''
  const headers: Array<{ key: string; value: string }> = []
  for (const line of headerBlock.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/).slice(0, 500)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.push({ key: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim().slice(0, MAX_HEADER_VALUE_CHARS) })
  }
  const get = (k: string) => headers.find((h) => h.key === k)?.value
  const fromMatch = /([^\s<>"]+@[^\s<>"]+)/.exec(get('from') ?? '')
  return {
    messageId: normalizeMessageId(get('message-id')),
    inReplyTo: normalizeMessageId(get('in-reply-to')),
    references: parseIdList(get('references')),
    from: fromMatch?.[1] ? { address: fromMatch[1], name: '' } : undefined,
    replyTo: [],
    to: [],
    cc: [],
    subject: (get('subject') ?? '').slice(0, MAX_SUBJECT_CHARS),
    sentAt: undefined,
    headers,
    text: body.slice(0, 1024 * 1024),
    html: undefined,
    attachments: [],
    warnings,
  }
}
