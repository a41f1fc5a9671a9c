import type { Brand, Language } from '../brand.ts'
import { verifierReasonMessage } from '../i18n/verifier.ts'
import { analyzeHost } from './analyze-host.ts'
import { brandProfile, FREEMAIL_DOMAINS, type BrandProfile } from './brand-profile.ts'
import { confusableSkeleton, skeletonOfAsciiWords } from './confusable-skeleton.ts'
import { resolveLinkTarget } from './link-target.ts'
import { findMatchingHotline, looksLikePhoneNumber } from './phone-number.ts'
import type { InputKind, ReasonFinding, Verdict, VerifyResult } from './verify-result.ts'

export interface VerifyContext {
  brand: Brand
  language: Language
}

interface Judgement {
  verdict: Verdict
  inputKind: InputKind
  reasons: ReasonFinding[]
}

const MAX_INPUT_CHARS = 2048

/** decodeURIComponent that keeps malformed escapes ("%zz") as typed instead of throwing. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** Renders findings in the requested language. */
export function renderReasons(findings: ReasonFinding[], language: Language): VerifyResult['reasons'] {
  return findings.map((f) => ({ code: f.code, message: verifierReasonMessage(f.code, language, f.params) }))
}

const WORD_SEPARATORS = /[^\p{L}\p{N}]+|\p{Script=Han}+/u
// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/

/** True when the brand name appears as a word (okpay.support, okpay_cs) in a local part or display name. */
export function mentionsBrandAsWord(profile: BrandProfile, text: string): boolean {
  const lower = text.toLowerCase()
  // Most mail is ASCII: its words are the runs of [a-z0-9], found all at once by the profile's patterns.
  if (ASCII_ONLY.test(lower)) return hasAsciiBrandWord(profile, lower)
  // Chinese has no spaces: "OKPay客服" is the brand and a word, so Han characters separate words too.
  return lower.split(WORD_SEPARATORS).some((w) => w.length > 0 && (ASCII_ONLY.test(w) ? hasAsciiBrandWord(profile, w) : isBrandWord(profile, w)))
}

/**
 * A word is the brand when it is a token, has a token's skeleton (0kpay, окрау), or is a token followed by digits
 * (okpay24). `hasAsciiBrandWord` decides the same for every word of a lowercase ASCII text.
 */
function isBrandWord(profile: BrandProfile, word: string): boolean {
  return profile.tokens.includes(word) || profile.tokenSkeletons.has(skeletonOfWord(word)) || profile.tokens.some((t) => word.startsWith(t) && /^\d*$/.test(word.slice(t.length)))
}

// Mail repeats its words ("the", "your", "account"): the skeleton of each is computed once. Bounded, so a hostile
// message with millions of distinct words cannot grow it without limit.
const SKELETON_CACHE_MAX = 50_000
const skeletonCache = new Map<string, string>()

function skeletonOfWord(word: string): string {
  let skeleton = skeletonCache.get(word)
  if (skeleton === undefined) {
    if (skeletonCache.size >= SKELETON_CACHE_MAX) skeletonCache.clear()
    skeleton = confusableSkeleton(word)
    skeletonCache.set(word, skeleton)
  }
  return skeleton
}

function hasAsciiBrandWord(profile: BrandProfile, lowerAscii: string): boolean {
  const { tokens, skeletons, skeletonLiterals } = profile.asciiBrandWords
  if (tokens?.test(lowerAscii)) return true
  if (!skeletons || (skeletonLiterals && !skeletonLiterals.some((l) => lowerAscii.includes(l)))) return false
  return skeletons.test(skeletonOfAsciiWords(lowerAscii))
}

/** Judges an email address: the domain decides, with extra signs for free mail and a brand before the @. */
export function judgeEmailAddress(profile: BrandProfile, address: string): Judgement {
  const at = address.lastIndexOf('@')
  if (at <= 0 || at === address.length - 1) return { verdict: 'unknown', inputKind: 'email', reasons: [{ code: 'unparsable_input' }] }
  const local = address.slice(0, at)
  const host = analyzeHost(profile, address.slice(at + 1))
  const reasons = [...host.reasons]
  if (host.verdict === 'official') {
    const lower = address.toLowerCase()
    if (profile.officialAddresses.has(lower)) return { verdict: 'official', inputKind: 'email', reasons: [{ code: 'official_address', params: { address: lower, brand: profile.name } }] }
    return { verdict: 'official', inputKind: 'email', reasons }
  }
  let verdict = host.verdict
  const domain = host.registrableDomain ?? host.asciiHost
  if (mentionsBrandAsWord(profile, local) || local.toLowerCase().includes(profile.officialDomains[0] ?? '\u0000')) {
    const code = FREEMAIL_DOMAINS.has(domain) ? 'freemail_brand' : 'brand_in_local_part'
    reasons.unshift({ code, params: { address, domain, brand: profile.name } })
    verdict = 'impersonation'
  }
  return { verdict, inputKind: 'email', reasons }
}

/** Judges a URL: userinfo tricks, redirectors and shorteners, then the host. */
export function judgeUrl(profile: BrandProfile, input: string): Judgement {
  const target = resolveLinkTarget(input)
  const url = target.url
  if (!url) return { verdict: 'unknown', inputKind: 'url', reasons: [{ code: 'unparsable_input' }] }
  const reasons: ReasonFinding[] = []
  let forceImpersonation = false
  // https://okpay.com@evil.io/ : the browser ignores "okpay.com" (it is a user name) and opens evil.io.
  const userinfo = safeDecode(`${url.username}${url.password ? `:${url.password}` : ''}`)
  if (userinfo) {
    reasons.push({ code: 'url_userinfo', params: { host: url.hostname } })
    if (mentionsBrandAsWord(profile, userinfo) || profile.officialDomains.some((d) => userinfo.toLowerCase().includes(d))) forceImpersonation = true
  }
  if (target.via.length > 0) reasons.push({ code: 'redirector_unwrapped', params: { host: target.via[0] ?? '', target: url.hostname } })
  if (target.opaqueHost) {
    reasons.push({ code: 'opaque_redirector', params: { host: target.opaqueHost } })
    return { verdict: forceImpersonation ? 'impersonation' : 'unknown', inputKind: 'url', reasons }
  }
  const host = analyzeHost(profile, url.hostname)
  reasons.push(...host.reasons)
  let verdict = host.verdict
  if (forceImpersonation && verdict !== 'official') verdict = 'impersonation'
  if (userinfo && verdict === 'official') reasons.splice(0, 1)
  return { verdict, inputKind: 'url', reasons }
}

function classify(profile: BrandProfile, input: string): Judgement {
  const s = input.trim()
  if (s.length === 0 || s.length > MAX_INPUT_CHARS) return { verdict: 'unknown', inputKind: 'unknown', reasons: [{ code: 'unparsable_input' }] }
  if (/^mailto:/i.test(s)) return judgeEmailAddress(profile, safeDecode(s.slice(7).split('?')[0] ?? ''))
  if (looksLikePhoneNumber(s)) {
    const hotline = findMatchingHotline(profile, s)
    if (hotline) {
      return { verdict: 'official', inputKind: 'phone', reasons: [{ code: 'official_hotline', params: { number: hotline.display, label: hotline.label.en, labelZh: hotline.label['zh-CN'], brand: profile.name } }] }
    }
    return {
      verdict: 'not_official',
      inputKind: 'phone',
      reasons: [{ code: 'phone_not_hotline', params: { number: s.replace(/^tel:/i, ''), hotlines: profile.hotlines.map((h) => h.display).join(', '), brand: profile.name } }],
    }
  }
  if (/\s/.test(s)) return { verdict: 'unknown', inputKind: 'unknown', reasons: [{ code: 'unparsable_input' }] }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /[/?#]/.test(s)) return judgeUrl(profile, s)
  if (/^[^@]+@[^@]+$/.test(s)) return judgeEmailAddress(profile, s)
  if (s.includes('@')) return judgeUrl(profile, s)
  if (s.includes('.') || s.includes('。')) {
    const host = analyzeHost(profile, s.replace(/。/g, '.'))
    return { verdict: host.verdict, inputKind: host.isIp ? 'url' : 'domain', reasons: host.reasons }
  }
  return { verdict: 'unknown', inputKind: 'unknown', reasons: [{ code: 'unparsable_input' }] }
}

/**
 * Says whether an email address, domain, URL or phone number is the brand's own, an impersonation of it,
 * unrelated, or unknown, with reasons in the requested language. Pure and synchronous: no DNS, no I/O.
 */
export function verifyIdentifier(input: string, ctx: VerifyContext): VerifyResult {
  const profile = brandProfile(ctx.brand)
  const j = classify(profile, input)
  return { verdict: j.verdict, inputKind: j.inputKind, reasons: renderReasons(j.reasons, ctx.language) }
}
