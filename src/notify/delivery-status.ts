// RFC 3464 delivery status notifications: a multipart/report; report-type=delivery-status whose
// message/delivery-status part has per-message fields, a blank line, then one field group per recipient.

export interface DeliveryStatusRecipient {
  /** Final-Recipient address, lowercased. */
  finalRecipient: string
  /** Original-Recipient, lowercased, when the MTA reports it (differs after aliasing or forwarding). */
  originalRecipient: string | undefined
  /** failed | delayed | delivered | relayed | expanded (RFC 3464 §2.3.3). */
  action: string
  /** Enhanced status code (RFC 3463), e.g. 5.1.1. */
  status: string
  diagnosticCode: string | undefined
}

export interface DeliveryStatusReport {
  reportingMta: string | undefined
  recipients: DeliveryStatusRecipient[]
  /** Message-IDs of the returned message: X-Original-Message-ID, and Message-ID of the embedded message or headers. */
  originalMessageIds: string[]
  /** The top-level References/In-Reply-To (Exim and Gmail put the original Message-ID there). */
  referencedMessageIds: string[]
  /** Our verification codes found in the returned body (survive relays that rewrite Message-IDs). */
  verificationCodes: string[]
}

export type BounceSeverity = 'hard' | 'soft'

const MAX_SCAN_CHARS = 2 * 1024 * 1024 // a DSN returns at most the original message; 2 MiB is plenty

function headerBlock(text: string): string {
  const end = text.search(/\r?\n\r?\n/)
  return end >= 0 ? text.slice(0, end) : text
}

function unfold(block: string): string[] {
  return block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)
}

function fieldsOf(lines: string[]): Map<string, string> {
  const fields = new Map<string, string>()
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim())
  }
  return fields
}

/** "rfc822; <Jane@Example.com>" → "jane@example.com". */
function addressOfField(value: string): string {
  return value.replace(/^[^;]*;\s*/, '').replace(/^<|>$/g, '').trim().toLowerCase()
}

function messageIdsIn(value: string | undefined): string[] {
  return (value ?? '').match(/<[^<>\s]+>/g) ?? []
}

interface MimePart {
  contentType: string
  body: string
}

/** The top-level parts of a multipart body, each with its content type and decoded body. */
function topLevelParts(text: string, contentType: string): MimePart[] {
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType)
  const name = boundary?.[1] ?? boundary?.[2]
  if (!name) return []
  const delimiter = `--${name}`
  const parts: MimePart[] = []
  const chunks = text.split(/\r?\n/).reduce<string[][]>(
    (acc, line) => {
      if (line.startsWith(delimiter)) acc.push([])
      else acc[acc.length - 1]?.push(line)
      return acc
    },
    [[]],
  )
  // chunks[0] is the preamble; a chunk after the closing delimiter "--name--" is the epilogue (empty in practice).
  for (const lines of chunks.slice(1)) {
    const blank = lines.findIndex((l) => l.trim() === '')
    const headerLines = blank >= 0 ? lines.slice(0, blank) : lines
    const fields = fieldsOf(unfold(headerLines.join('\n')))
    let body = blank >= 0 ? lines.slice(blank + 1).join('\n') : ''
    const encoding = fields.get('content-transfer-encoding')?.toLowerCase()
    if (encoding === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
    parts.push({ contentType: (fields.get('content-type') ?? 'text/plain').toLowerCase(), body })
  }
  return parts
}

/**
 * Reads an RFC 3464 delivery status notification; undefined when the message is not one (out-of-office replies,
 * ordinary mail, non-standard bounces).
 */
export function parseDeliveryStatus(rawText: string): DeliveryStatusReport | undefined {
  const text = rawText.length > MAX_SCAN_CHARS ? rawText.slice(0, MAX_SCAN_CHARS) : rawText
  const top = fieldsOf(unfold(headerBlock(text)))
  const contentType = top.get('content-type') ?? ''
  if (!/multipart\/report/i.test(contentType) || !/report-type\s*=\s*"?delivery-status"?/i.test(contentType)) return undefined
  const parts = topLevelParts(text, contentType)
  const status = parts.find((p) => /^message\/(?:global-)?delivery-status\b/.test(p.contentType))?.body
  if (status === undefined) return undefined

  const groups = status
    .trim()
    .split(/\r?\n[ \t]*\r?\n/)
    .map((g) => fieldsOf(unfold(g)))
  const perMessage = groups[0] ?? new Map<string, string>()
  const recipients: DeliveryStatusRecipient[] = []
  for (const group of groups) {
    const final = group.get('final-recipient')
    const action = group.get('action')
    if (!final || !action) continue
    recipients.push({
      finalRecipient: addressOfField(final),
      originalRecipient: group.has('original-recipient') ? addressOfField(group.get('original-recipient') ?? '') : undefined,
      action: action.toLowerCase().split(/\s/)[0] ?? '',
      status: /\d\.\d{1,3}\.\d{1,3}/.exec(group.get('status') ?? '')?.[0] ?? '',
      diagnosticCode: group.get('diagnostic-code')?.slice(0, 500),
    })
  }
  if (recipients.length === 0) return undefined

  const originalMessageIds = new Set<string>(messageIdsIn(perMessage.get('x-original-message-id') ?? perMessage.get('original-message-id')))
  // The returned message or its headers follow the status part; their Message-ID is the one that bounced.
  const returned = parts.find((p) => /^(?:message\/(?:rfc822|global)|text\/(?:rfc822-headers|global-headers))\b/.test(p.contentType))?.body
  if (returned) {
    const fields = fieldsOf(unfold(headerBlock(returned.replace(/^\s+/, ''))))
    for (const id of messageIdsIn(fields.get('message-id'))) originalMessageIds.add(id)
  }
  const referencedMessageIds = [...messageIdsIn(top.get('in-reply-to')), ...messageIdsIn(top.get('references'))]
  // Quoted-printable turns "code=ABCD-EFGH" into "code=3DABCD-EFGH" and may break the line ("=\n") inside it.
  const verificationCodes = [...new Set([...(returned ?? '').replace(/=\r?\n/g, '').matchAll(/verify\?code=(?:3D)?([0-9A-Z]{4}-[0-9A-Z]{4})/g)].map((m) => m[1] ?? ''))].filter(Boolean)
  return { reportingMta: perMessage.get('reporting-mta'), recipients, originalMessageIds: [...originalMessageIds], referencedMessageIds, verificationCodes }
}

/** Hard: the address will never accept mail (5.x.x, gave up). Soft: temporary trouble (4.x.x, or still retrying). */
export function bounceSeverity(recipient: DeliveryStatusRecipient): BounceSeverity | undefined {
  if (recipient.action !== 'failed' && recipient.action !== 'delayed') return undefined
  return recipient.action === 'failed' && recipient.status.startsWith('5.') ? 'hard' : 'soft'
}
