import { parse } from 'tldts'
import type { Brand } from '../brand.ts'
import { confusableSkeleton } from './confusable-skeleton.ts'

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
  const profile: BrandProfile = {
    brand,
    name: brand.name,
    tokens: [...tokens],
    tokenSkeletons: new Set([...tokens].map(confusableSkeleton)),
    officialDomains: brand.officialDomains.map((d) => d.toLowerCase()),
    officialAddresses: new Set(Object.values(brand.addresses).map((a) => a.toLowerCase())),
    hotlines,
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
