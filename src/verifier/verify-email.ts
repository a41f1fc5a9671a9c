import type { Brand, Language } from '../brand.ts'
import { NotAnEmailError } from '../errors.ts'
import { CREDENTIAL_NAMES } from '../i18n/verifier.ts'
import { isAuthenticatedFrom, type AuthenticationResult } from '../pipeline/authenticate-sender.ts'
import { parseMessage, type ParsedMessage } from '../pipeline/parse-message.ts'
import { analyzeHost } from './analyze-host.ts'
import { brandProfile, type BrandProfile } from './brand-profile.ts'
import { findContentSignals } from './content-signals.ts'
import { resolveLinkTarget } from './link-target.ts'
import { htmlToText } from '../pipeline/html-text.ts'
import { extractLinks } from './message-links.ts'
import { judgeEmailAddress, mentionsBrandAsWord, renderReasons } from './verify-identifier.ts'
import type { ReasonFinding, Verdict, VerifyResult } from './verify-result.ts'

export interface VerifyEmailContext {
  brand: Brand
  language: Language
  /** The message's SPF/DKIM/DMARC result; without it (--no-dns) an official From cannot be confirmed. */
  auth?: AuthenticationResult
}

const PARSE_LIMITS = { maxAttachments: 50, maxAttachmentBytes: 5 * 1024 * 1024 }
const EMAIL_IN_TEXT = /[^\s<>"'@]+@[^\s<>"'@]+\.[^\s<>"'@]+/

interface LinkFindings {
  reasons: ReasonFinding[]
  lookalike: boolean
  suspicious: boolean
}

function registrableOf(profile: BrandProfile, host: string): string {
  const a = analyzeHost(profile, host)
  return a.registrableDomain ?? a.asciiHost
}

function analyzeLinks(profile: BrandProfile, message: ParsedMessage): LinkFindings {
  const reasons: ReasonFinding[] = []
  const reported = new Set<string>()
  let lookalike = false
  let suspicious = false
  const add = (key: string, finding: ReasonFinding) => {
    if (reported.has(key) || reasons.length >= 12) return
    reported.add(key)
    reasons.push(finding)
  }
  for (const link of extractLinks(message.html, message.text)) {
    const target = resolveLinkTarget(link.href)
    if (target.opaqueHost) {
      suspicious = true
      add(`opaque:${target.opaqueHost}`, { code: 'link_opaque', params: { host: target.opaqueHost, brand: profile.name } })
      continue
    }
    const host = target.url?.hostname
    if (!host) continue
    const analysis = analyzeHost(profile, host)
    if (link.shownHost) {
      const shown = analyzeHost(profile, link.shownHost)
      const shownDomain = shown.registrableDomain ?? shown.asciiHost
      const realDomain = analysis.registrableDomain ?? analysis.asciiHost
      if (shownDomain && realDomain && shownDomain !== realDomain) {
        suspicious = true
        if (shown.verdict === 'official' || shown.verdict === 'impersonation') lookalike = true
        add(`mismatch:${shownDomain}>${realDomain}`, { code: 'link_text_mismatch', params: { shown: link.shownHost, host: analysis.asciiHost } })
      }
    }
    if (analysis.isIp) {
      suspicious = true
      add(`ip:${host}`, { code: 'link_raw_ip', params: { host, brand: profile.name } })
    } else if (analysis.verdict === 'impersonation') {
      lookalike = true
      add(`look:${analysis.registrableDomain ?? host}`, { code: 'link_lookalike', params: { host: analysis.asciiHost, brand: profile.name } })
    } else if (target.url && (target.url.username || target.url.password)) {
      suspicious = true
      add(`userinfo:${host}`, { code: 'url_userinfo', params: { host } })
    }
  }
  return { reasons, lookalike, suspicious }
}

function nonOfficialLinkHosts(profile: BrandProfile, message: ParsedMessage): string[] {
  const hosts = new Set<string>()
  for (const link of extractLinks(message.html, message.text)) {
    const host = resolveLinkTarget(link.href).url?.hostname
    if (!host) continue
    const a = analyzeHost(profile, host)
    if (a.verdict === 'not_official' || a.verdict === 'impersonation') hosts.add(a.registrableDomain ?? a.asciiHost)
  }
  return [...hosts]
}

/** Judges a parsed message; exported for callers that parsed it already (the pipeline). */
export function judgeParsedMessage(profile: BrandProfile, message: ParsedMessage, auth: AuthenticationResult | undefined): { verdict: Verdict; reasons: ReasonFinding[] } {
  const brand = profile.name
  const reasons: ReasonFinding[] = []
  const fromHeaders = message.headers.filter((h) => h.key.toLowerCase() === 'from')
  const duplicateFrom = fromHeaders.length > 1
  if (duplicateFrom) reasons.push({ code: 'from_duplicate' })
  const from = message.from
  const fromMalformed = !from || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(from.address)
  if (fromHeaders.length === 0 && !from) reasons.push({ code: 'from_missing' })
  else if (fromMalformed) reasons.push({ code: 'from_malformed' })

  const sender = from && !fromMalformed ? judgeEmailAddress(profile, from.address) : undefined
  const senderDomain = from && !fromMalformed ? registrableOf(profile, from.address.slice(from.address.lastIndexOf('@') + 1)) : ''
  const fromOfficial = sender?.verdict === 'official'
  let claimsBrand = false

  // Display name: "OKPay 客服" or "support@okpay.com" shown in front of someone else's address.
  const name = from?.name ?? ''
  const shownAddress = EMAIL_IN_TEXT.exec(name)?.[0]
  if (!fromOfficial && shownAddress && judgeEmailAddress(profile, shownAddress).verdict === 'official') {
    reasons.push({ code: 'display_name_official_address', params: { address: shownAddress.toLowerCase(), domain: senderDomain || '?' } })
    claimsBrand = true
  } else if (!fromOfficial && name && mentionsBrandAsWord(profile, name)) {
    reasons.push({ code: 'display_name_brand', params: { name: name.slice(0, 80), domain: senderDomain || '?', brand } })
    claimsBrand = true
  }

  if (sender && sender.verdict === 'impersonation') {
    reasons.push({ code: 'sender_lookalike', params: { domain: senderDomain, brand } })
    reasons.push(...sender.reasons.filter((r) => r.code !== 'unrelated_domain'))
    claimsBrand = true
  }

  let replyElsewhere = false
  for (const r of message.replyTo.slice(0, 5)) {
    const at = r.address.lastIndexOf('@')
    if (at < 0) continue
    const domain = registrableOf(profile, r.address.slice(at + 1))
    if (senderDomain && domain && domain !== senderDomain) {
      replyElsewhere = true
      reasons.push({ code: 'reply_to_other_domain', params: { domain } })
      break
    }
  }

  let authenticated = false
  // DNS trouble (temperror) proves nothing either way: the signature counts as unchecked, not as failed.
  const inconclusive = auth !== undefined && !isAuthenticatedFrom(auth) && (auth.dkim.some((d) => d.result === 'temperror') || auth.dmarc.result === 'temperror')
  const usableAuth = inconclusive ? undefined : auth
  if (fromOfficial && !duplicateFrom) {
    if (!usableAuth) reasons.push({ code: 'authentication_not_checked', params: { brand } })
    else if (isAuthenticatedFrom(usableAuth) && !usableAuth.spoofed) {
      authenticated = true
      reasons.unshift({ code: 'official_from_authenticated', params: { domain: senderDomain } })
    } else reasons.push({ code: 'official_from_unauthenticated', params: { domain: senderDomain, brand } })
  } else if (fromOfficial) {
    reasons.push({ code: 'official_from_unauthenticated', params: { domain: senderDomain, brand } })
  }

  const bodyText = message.text ?? (message.html ? htmlToText(message.html) : '')
  const signals = findContentSignals(`${message.subject}\n${bodyText}`)
  if (signals.requested.length > 0) {
    const kinds = signals.requested.slice(0, 3)
    reasons.push({
      code: 'requests_credentials',
      params: { whatEn: kinds.map((k) => CREDENTIAL_NAMES[k]?.en ?? k).join(', '), whatZh: kinds.map((k) => CREDENTIAL_NAMES[k]?.['zh-CN'] ?? k).join('、'), brand },
    })
  } else if (signals.givesCodeOnly && fromOfficial) {
    reasons.push({ code: 'code_notice_only' })
  }
  if (signals.urgency) reasons.push({ code: 'urgency_language' })
  const links = analyzeLinks(profile, message)
  reasons.push(...links.reasons)

  const subjectMentionsBrand = mentionsBrandAsWord(profile, message.subject)
  const mentionsBrand = subjectMentionsBrand || mentionsBrandAsWord(profile, bodyText.slice(0, 20_000))
  const phishy = signals.requested.length > 0 || signals.urgency || links.suspicious || links.lookalike

  let verdict: Verdict
  if (fromOfficial) {
    if (authenticated) verdict = signals.requested.length > 0 || links.lookalike ? 'unknown' : 'official'
    else if (usableAuth || duplicateFrom || phishy || replyElsewhere) verdict = 'impersonation'
    else verdict = 'unknown'
  } else if (claimsBrand || links.lookalike) {
    verdict = 'impersonation'
  } else if (mentionsBrand && (subjectMentionsBrand || phishy)) {
    verdict = 'impersonation'
    reasons.unshift({ code: 'brand_claimed_in_content', params: { brand } })
  } else if (!sender || fromMalformed || duplicateFrom || sender.verdict === 'unknown') {
    verdict = 'unknown'
  } else {
    verdict = 'not_official'
    reasons.unshift(...sender.reasons)
  }
  if (verdict === 'not_official' && reasons.length === 0) reasons.push({ code: 'unrelated_domain', params: { domain: senderDomain, brand } })
  return { verdict, reasons }
}

/**
 * Says whether a whole message really comes from the brand: sender, display name, Reply-To, authentication,
 * what it asks for, and where its links go. Never throws for malformed mail; a non-email gives `unknown`.
 */
export async function verifyEmail(raw: Uint8Array, ctx: VerifyEmailContext): Promise<VerifyResult> {
  const profile = brandProfile(ctx.brand)
  let message: ParsedMessage
  try {
    message = await parseMessage(raw, PARSE_LIMITS)
  } catch (err) {
    if (err instanceof NotAnEmailError) return { verdict: 'unknown', inputKind: 'email_message', reasons: renderReasons([{ code: 'not_an_email' }], ctx.language) }
    throw err
  }
  const { verdict, reasons } = judgeParsedMessage(profile, message, ctx.auth)
  return { verdict, inputKind: 'email_message', reasons: renderReasons(reasons, ctx.language) }
}

/** Registrable domains (or IPs) of the non-official hosts a message links to, after unwrapping redirectors. */
export function linkedDomainsOf(brand: Brand, message: ParsedMessage): string[] {
  return nonOfficialLinkHosts(brandProfile(brand), message)
}
