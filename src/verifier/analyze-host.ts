import { domainToASCII, domainToUnicode } from 'node:url'
import { parse } from 'tldts'
import { TYPO_FAMILY_NAMES } from '../i18n/verifier.ts'
import { LURE_WORDS, type BrandProfile } from './brand-profile.ts'
import { confusableSkeleton, isMixedScript, scriptsOf } from './confusable-skeleton.ts'
import { classifyTypo } from './typo-family.ts'
import type { ReasonFinding, Verdict } from './verify-result.ts'

export interface HostAnalysis {
  verdict: Verdict
  reasons: ReasonFinding[]
  /** The host in ASCII (punycode) form, lowercased, without a trailing dot; '' when it could not be read. */
  asciiHost: string
  /** The registrable domain (okpay.com for www.okpay.com); undefined for IPs and unknown suffixes. */
  registrableDomain: string | undefined
  isIp: boolean
}

/** How a label relates to the brand token: equal, a look-alike of it, glued to lure words, or not at all. */
type LabelRelation =
  | { kind: 'exact' }
  | { kind: 'homoglyph' }
  | { kind: 'typo'; family: string }
  | { kind: 'with_words' }
  | { kind: 'none' }

function relateToken(profile: BrandProfile, token: string): LabelRelation {
  if (token.length === 0) return { kind: 'none' }
  for (const brand of profile.tokens) {
    if (token === brand) return { kind: 'exact' }
  }
  const skeleton = confusableSkeleton(token)
  if (profile.tokenSkeletons.has(skeleton)) return { kind: 'homoglyph' }
  for (const brand of profile.tokens) {
    if (brand.length < 4) continue
    const family = classifyTypo(brand, token) ?? classifyTypo(confusableSkeleton(brand), skeleton)
    if (family) return { kind: 'typo', family }
  }
  return { kind: 'none' }
}

/** Brand glued to a lure word or digits without a separator: okpaysupport, secureokpay, okpay24. */
function isBrandGluedToLure(profile: BrandProfile, token: string): boolean {
  const ok = (part: string) => part === '' || /^\d+$/.test(part) || LURE_WORDS.has(part)
  // The plain spelling first (myokpay), then the skeleton (myokp4y → rnyokpay would hide "my").
  for (const [form, toForm] of [[token.toLowerCase(), (b: string) => b], [confusableSkeleton(token), confusableSkeleton]] as const) {
    for (const brand of profile.tokens) {
      const b = toForm(brand)
      const at = form.indexOf(b)
      if (at >= 0 && ok(form.slice(0, at)) && ok(form.slice(at + b.length))) return true
    }
  }
  return false
}

/** Relation of a whole label (hyphens split words): okpay-support → with_words; ok-pay → typo (hyphenation). */
function relateLabel(profile: BrandProfile, label: string): LabelRelation {
  const whole = relateToken(profile, label)
  if (whole.kind !== 'none') return whole
  const words = label.split('-').filter((w) => w.length > 0)
  if (words.length > 1) {
    for (const word of words) {
      const r = relateToken(profile, word)
      if (r.kind === 'exact' || r.kind === 'homoglyph') return { kind: 'with_words' }
      if (r.kind === 'typo' && word.length >= 4) return { kind: 'with_words' }
    }
  }
  for (const word of words) if (isBrandGluedToLure(profile, word)) return { kind: 'with_words' }
  return { kind: 'none' }
}

function isOfficial(profile: BrandProfile, ascii: string): boolean {
  return profile.officialDomains.some((o) => ascii === o || ascii.endsWith(`.${o}`))
}

// A message names the same hosts again and again (the From domain twice, a newsletter's links), and so do the
// messages after it: each host's analysis is kept, per brand profile. Bounded like the skeleton cache of
// verify-identifier.ts, so a flood of distinct hosts cannot grow it without limit.
const HOST_CACHE_MAX = 20_000
const hostCaches = new WeakMap<BrandProfile, Map<string, HostAnalysis>>()

function frozenAnalysis(analysis: HostAnalysis): HostAnalysis {
  for (const reason of analysis.reasons) {
    if (reason.params) Object.freeze(reason.params)
    Object.freeze(reason)
  }
  Object.freeze(analysis.reasons)
  return Object.freeze(analysis)
}

/**
 * Decides how a host name relates to the brand: official (an official domain or its subdomain), impersonation
 * (look-alike, other ending, brand plus words, brand as decoration in front of someone else's domain),
 * not_official (anything else with a public suffix) or unknown (unreadable, unknown suffix).
 * The result is the caller's own object and array; the reasons in it are shared and frozen.
 */
export function analyzeHost(profile: BrandProfile, rawHost: string): HostAnalysis {
  let cache = hostCaches.get(profile)
  if (!cache) hostCaches.set(profile, (cache = new Map()))
  let analysis = cache.get(rawHost)
  if (!analysis) {
    if (cache.size >= HOST_CACHE_MAX) cache.clear()
    analysis = frozenAnalysis(computeHostAnalysis(profile, rawHost))
    cache.set(rawHost, analysis)
  }
  return { ...analysis, reasons: [...analysis.reasons] }
}

function computeHostAnalysis(profile: BrandProfile, rawHost: string): HostAnalysis {
  const brand = profile.name
  const official = profile.officialDomains[0] ?? ''
  const trimmed = rawHost.trim().replace(/\.$/, '').replace(/^\[|\]$/g, '')
  const ascii = trimmed.length > 0 && trimmed.length <= 253 ? domainToASCII(trimmed).toLowerCase() : ''
  const empty: HostAnalysis = { verdict: 'unknown', reasons: [{ code: 'unparsable_input' }], asciiHost: '', registrableDomain: undefined, isIp: false }
  if (!ascii) return empty
  const parsed = parse(ascii)
  if (parsed.isIp) {
    return { verdict: 'not_official', reasons: [{ code: 'raw_ip_host', params: { host: ascii } }], asciiHost: ascii, registrableDomain: undefined, isIp: true }
  }
  if (isOfficial(profile, ascii)) {
    return {
      verdict: 'official',
      reasons: [{ code: 'official_domain', params: { domain: ascii, brand } }],
      asciiHost: ascii,
      registrableDomain: parsed.domain ?? ascii,
      isIp: false,
    }
  }
  const reasons: ReasonFinding[] = []
  const unicodeHost = ascii.includes('xn--') ? domainToUnicode(ascii) : ascii
  if (unicodeHost !== ascii) reasons.push({ code: 'idn_punycode', params: { unicode: unicodeHost } })
  if (unicodeHost !== ascii) {
    for (const label of unicodeHost.split('.')) {
      if (isMixedScript(label)) {
        reasons.push({ code: 'mixed_script', params: { label, scripts: scriptsOf(label).join(', ') } })
        break
      }
    }
  }
  const registrable = parsed.domain ?? undefined
  const labelAscii = parsed.domainWithoutSuffix ?? ''
  if (!registrable || !labelAscii) {
    return { verdict: 'unknown', reasons: [...reasons, { code: 'unknown_tld', params: { domain: unicodeHost } }], asciiHost: ascii, registrableDomain: undefined, isIp: false }
  }
  const displayDomain = domainToUnicode(registrable) || registrable
  const label = domainToUnicode(labelAscii) || labelAscii
  const relation = relateLabel(profile, label)
  const params = { domain: displayDomain, official, brand }
  let brandAbuse = true
  switch (relation.kind) {
    case 'exact':
      reasons.push({ code: 'other_tld', params })
      break
    case 'homoglyph':
      reasons.push({ code: 'lookalike_homoglyph', params })
      break
    case 'typo': {
      const names = TYPO_FAMILY_NAMES[relation.family]
      reasons.push({ code: 'typo_lookalike', params: { ...params, family: relation.family, familyEn: names?.en ?? relation.family, familyZh: names?.['zh-CN'] ?? relation.family } })
      break
    }
    case 'with_words':
      reasons.push({ code: 'brand_with_words', params })
      break
    case 'none':
      brandAbuse = false
  }
  const subdomain = parsed.subdomain ?? ''
  if (subdomain) {
    const subUnicode = domainToUnicode(`${subdomain}.x`).replace(/\.x$/, '') || subdomain
    const labels = subUnicode.split('.')
    // "okpay.com.evil.io": an official domain spelled out in front of someone else's.
    const spellsOfficial = profile.officialDomains.some((o) => subUnicode === o || subUnicode.endsWith(`.${o}`) || subUnicode.includes(`${o}.`) || subUnicode.startsWith(o))
    if (spellsOfficial || labels.some((l) => relateLabel(profile, l).kind !== 'none')) {
      reasons.push({ code: 'brand_in_subdomain', params: { domain: displayDomain, subdomain: subUnicode, brand } })
      brandAbuse = true
    }
  }
  if (brandAbuse) return { verdict: 'impersonation', reasons, asciiHost: ascii, registrableDomain: registrable, isIp: false }
  if (!parsed.isIcann) {
    return { verdict: 'unknown', reasons: [...reasons, { code: 'unknown_tld', params: { domain: unicodeHost } }], asciiHost: ascii, registrableDomain: registrable, isIp: false }
  }
  reasons.push({ code: 'unrelated_domain', params: { domain: displayDomain, brand } })
  return { verdict: 'not_official', reasons, asciiHost: ascii, registrableDomain: registrable, isIp: false }
}
