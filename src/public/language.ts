import type { Language } from '../brand.ts'

export const LANGUAGE_COOKIE = 'md_lang'
const ONE_YEAR_S = 365 * 24 * 3600

function normalize(tag: string | undefined): Language | undefined {
  if (!tag) return undefined
  const t = tag.trim().toLowerCase()
  if (t === 'en' || t.startsWith('en-')) return 'en'
  // zh, zh-CN, zh-Hans, zh-SG… read simplified Chinese; zh-TW/HK readers still get Chinese rather than English.
  if (t === 'zh' || t.startsWith('zh-')) return 'zh-CN'
  return undefined
}

/** The best language from an Accept-Language header, honouring q-values; undefined when none is offered. */
export function languageFromAcceptLanguage(header: string | undefined, offered: readonly Language[]): Language | undefined {
  if (!header) return undefined
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag, ...params] = part.split(';')
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined)
      return { lang: normalize(tag), q: q === undefined ? 1 : Number(q), index }
    })
    .filter((r) => r.lang !== undefined && r.q > 0 && offered.includes(r.lang))
    .sort((a, b) => b.q - a.q || a.index - b.index)
  return ranked[0]?.lang
}

export interface LanguageSources {
  query?: string | undefined
  cookie?: string | undefined
  acceptLanguage?: string | undefined
}

/** `?lang=` first, then the remembered cookie, then the browser's Accept-Language, then the brand default. */
export function pickLanguage(sources: LanguageSources, offered: readonly Language[], fallback: Language): Language {
  for (const candidate of [normalize(sources.query), normalize(sources.cookie)]) {
    if (candidate && offered.includes(candidate)) return candidate
  }
  return languageFromAcceptLanguage(sources.acceptLanguage, offered) ?? fallback
}

/** Reads one cookie from a Cookie header without a cookie library. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim())
      } catch {
        return undefined
      }
    }
  }
  return undefined
}

/** Set-Cookie value that remembers a language chosen with `?lang=`. */
export function languageCookie(lang: Language): string {
  return `${LANGUAGE_COOKIE}=${lang}; Path=/; Max-Age=${ONE_YEAR_S}; SameSite=Lax; HttpOnly`
}
