import { createHash } from 'node:crypto'
import type { Brand } from '../brand.ts'
import { isOfficialDomain } from '../brand.ts'
import type { ParsedMessage } from '../pipeline/parse-message.ts'
import { analyzeHost } from '../verifier/analyze-host.ts'
import { brandProfile, FREEMAIL_DOMAINS } from '../verifier/brand-profile.ts'
import { htmlToText } from '../pipeline/html-text.ts'
import { linkedDomainsOf } from '../verifier/verify-email.ts'
import type { CampaignKeyKind } from './phishing-report.table.ts'

export interface CampaignKeys {
  senderDomain: string | undefined
  linkDomains: string[]
  fingerprint: string
  keys: Array<{ kind: CampaignKeyKind; value: string }>
}

/**
 * Text that stays the same across a campaign's sends: lowercase, URLs and e-mail addresses dropped, digits
 * zeroed (amounts, order and tracking numbers change per recipient), whitespace collapsed.
 */
export function normalizeForFingerprint(text: string): string {
  return text
    .toLowerCase()
    .replace(/\bhttps?:\/\/\S+/g, ' ')
    .replace(/\S+@\S+/g, ' ')
    .replace(/\d(?:[\d,.\s]*\d)?/g, '0') // 1,250.00 and 499 alike
    .replace(/[\s\p{P}]+/gu, ' ')
    .trim()
    .slice(0, 4000)
}

/**
 * The keys a report is grouped by. A spoofed official sender is no key (every spoof would share it), and a
 * free-mail sender is keyed by the whole address, not gmail.com.
 */
export function campaignKeysOf(brand: Brand, message: ParsedMessage, options: { ignoreSender?: boolean } = {}): CampaignKeys {
  const profile = brandProfile(brand)
  let senderDomain: string | undefined
  const from = options.ignoreSender ? undefined : message.from?.address.toLowerCase()
  const at = from ? from.lastIndexOf('@') : -1
  if (from && at > 0) {
    const host = analyzeHost(profile, from.slice(at + 1))
    const domain = host.registrableDomain ?? host.asciiHost
    if (domain && !isOfficialDomain(brand, domain)) senderDomain = FREEMAIL_DOMAINS.has(domain) ? from : domain
  }
  const linkDomains = linkedDomainsOf(brand, message).sort().slice(0, 20)
  const text = `${message.subject}\n${message.text ?? (message.html ? htmlToText(message.html) : '')}`
  const fingerprint = createHash('sha256').update(normalizeForFingerprint(text)).digest('hex').slice(0, 32)
  const keys: CampaignKeys['keys'] = [{ kind: 'fingerprint', value: fingerprint }]
  if (senderDomain) keys.push({ kind: 'sender_domain', value: senderDomain })
  for (const d of linkDomains) keys.push({ kind: 'link_domain', value: d })
  return { senderDomain, linkDomains, fingerprint, keys }
}
