import { parse } from 'tldts'
import type { Brand } from '../brand.ts'
import { confusableSkeleton, literalRunOfSkeleton } from './confusable-skeleton.ts'

/** Everything the verifier derives from the brand config, computed once per Brand object. */
export interface BrandProfile {
  brand: Brand
  name: string
  /** Registrable labels of the official domains without their suffix: okpay.com → okpay. */
  tokens: string[]
  tokenSkeletons: Set<string>
  officialDomains: string[]
  officialAddresses: Set<string>
  hotlines: Array<{ display: string; full: string; national: string; label: Brand['hotlines'][number]['label'] }>
  /** The brand as a word of lowercase ASCII text, in one regular-expression pass (verify-identifier.ts). */
  asciiBrandWords: AsciiBrandWords
}

/**
 * In lowercase ASCII text a word is a run of [a-z0-9]. It names the brand when it is a token followed by nothing
 * or digits (okpay, okpay24), or when its skeleton is a token's (0kpay): `tokens` finds the first kind in the text,
 * `skeletons` the second in skeletonOfAsciiWords(text), which only needs computing when the text contains one of
 * `skeletonLiterals` (undefined: no such hint, always compute). Tokens and skeletons with other characters never
 * equal such a word and are left out; undefined patterns match nothing.
 */
export interface AsciiBrandWords {
  tokens: RegExp | undefined
  skeletons: RegExp | undefined
  skeletonLiterals: string[] | undefined
}

const ASCII_WORD = /^[a-z0-9]+$/

function wholeWordPattern(alternatives: string[], suffix = ''): RegExp | undefined {
  return alternatives.length > 0 ? new RegExp(`(?<![a-z0-9])(?:${alternatives.join('|')})${suffix}(?![a-z0-9])`) : undefined
}

function asciiBrandWordsOf(tokens: string[], skeletons: string[]): AsciiBrandWords {
  const asciiSkeletons = skeletons.filter((s) => ASCII_WORD.test(s))
  const literals = asciiSkeletons.map(literalRunOfSkeleton)
  return {
    tokens: wholeWordPattern(tokens.filter((t) => ASCII_WORD.test(t)), '[0-9]*'),
    skeletons: wholeWordPattern(asciiSkeletons),
    skeletonLiterals: literals.every((l) => l.length > 0) ? literals : undefined,
  }
}

const profiles = new WeakMap<Brand, BrandProfile>()

function digitsOf(s: string): string {
  return s.replace(/\D/g, '')
}

/** The cached profile of a brand; the brand config is frozen, so identity is a safe cache key. */
export function brandProfile(brand: Brand): BrandProfile {
  const cached = profiles.get(brand)
  if (cached) return cached
  const tokens = new Set<string>()
  for (const d of brand.officialDomains) {
    const label = parse(d).domainWithoutSuffix
    if (label) tokens.add(label.toLowerCase())
  }
  const nameToken = brand.name.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (nameToken.length >= 3) tokens.add(nameToken)
  const hotlines = brand.hotlines.map((h) => {
    const trimmed = h.number.trim()
    const full = digitsOf(trimmed)
    // "+86 400-820-6688": the group after the country code is the number dialled inside the country.
    const national = trimmed.startsWith('+') ? digitsOf(trimmed.replace(/^\+\d+\s*/, '')) : full
    return { display: trimmed, full, national, label: h.label }
  })
  const tokenSkeletons = new Set([...tokens].map(confusableSkeleton))
  const profile: BrandProfile = {
    brand,
    name: brand.name,
    tokens: [...tokens],
    tokenSkeletons,
    officialDomains: brand.officialDomains.map((d) => d.toLowerCase()),
    officialAddresses: new Set(Object.values(brand.addresses).map((a) => a.toLowerCase())),
    hotlines,
    asciiBrandWords: asciiBrandWordsOf([...tokens], [...tokenSkeletons]),
  }
  profiles.set(brand, profile)
  return profile
}

/** Free mail providers: anyone can open a mailbox there, so a brand name on one proves nothing. */
export const FREEMAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com', 'yahoo.com.hk',
  'icloud.com', 'me.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.net', 'mail.com', 'mail.ru',
  'yandex.ru', 'yandex.com', 'zoho.com', 'qq.com', 'foxmail.com', '163.com', '126.com', 'yeah.net', 'sina.com',
  'sina.cn', 'sohu.com', '139.com', '189.cn', 'aliyun.com', 'tom.com', '21cn.com', 'hushmail.com', 'tutanota.com',
])

/** Words phishers glue to a brand name (okpaysupport, secure-okpay, okpay-kefu). */
export const LURE_WORDS = new Set([
  'support', 'service', 'services', 'help', 'helpdesk', 'login', 'signin', 'logon', 'verify', 'verification',
  'secure', 'security', 'account', 'accounts', 'update', 'online', 'official', 'team', 'mail', 'email', 'app', 'pay',
  'payment', 'payments', 'cn', 'hk', 'china', 'global', 'intl', 'wallet', 'bank', 'card', 'cards', 'refund', 'refunds',
  'kyc', 'auth', 'id', 'my', 'www', 'web', 'center', 'centre', 'alert', 'alerts', 'notice', 'customer', 'care', 'kefu',
  'zhifu', 'portal', 'billing', 'reset', 'unlock', 'safe', 'check', 'confirm', 'admin', 'info', 'vip', 'group', 'inc',
  'corp', 'ltd', 'hq', 'plus', 'pro', 'cash', 'money', 'reward', 'rewards', 'bonus', 'gift', 'promo', 'claim', 'user',
  'users', 'member', 'members', 'client', 'clients', 'hotline', 'contact', 'notify', 'notification', 'mobile', 'api',
  'cs', 'sso', 'dl', 'download', 'net', 'com', 'org', 'site', 'live', 'chat', 'desk', 'fraud', 'appeal', 'review',
  'limited', 'restore', 'recovery', 'secure1', 'invoice', 'tax', 'agent', 'new', 'now', 'go', 'get', 'the',
])
