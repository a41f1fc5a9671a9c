import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Brand, Language } from '../brand.ts'

export const DEFAULT_HELP_DIR = fileURLToPath(new URL('../../help', import.meta.url))

export interface HelpArticle {
  slug: string
  language: Language
  title: string
  summary: string
  order: number
  /** Markdown body with brand placeholders filled in. */
  markdown: string
}

/** The facts articles refer to as {{name}}, so another company's brand config gives its own articles. */
export function brandPlaceholders(brand: Brand): Record<string, string> {
  const domain = brand.officialDomains[0] ?? ''
  const lower = brand.name.toLowerCase().replace(/[^a-z0-9]/g, '')
  const urgent = brand.hotlines.find((h) => h.hours.days.length === 7 && h.hours.start === '00:00' && h.hours.end === '24:00')
  // A transposition typo of the official domain, e.g. okpay.com → kopay.com, for the forged-mail article.
  const typo = domain.length > 2 ? `${domain[1]}${domain[0]}${domain.slice(2)}` : domain
  return {
    brand: brand.name,
    brandlower: lower,
    domain,
    typo,
    prefix: brand.ticketPrefix,
    support: brand.addresses.support,
    security: brand.addresses.security,
    urgentHotline: urgent?.number ?? brand.hotlines[0]?.number ?? '',
  }
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole)
}

/** Splits `---\nkey: value\n---\nbody`; a file without front matter is all body. */
function splitFrontMatter(source: string): { meta: Record<string, string>; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n?/.exec(source.replace(/\r\n?/g, '\n'))
  if (!match?.[1]) return { meta: {}, body: source }
  const meta: Record<string, string> = {}
  for (const line of match[1].split('\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) meta[line.slice(0, colon).trim()] = line.slice(colon + 1).trim()
  }
  return { meta, body: source.slice(match[0].length) }
}

/** Reads every article under <dir>/<language>/*.md, ordered by their `order` field. */
export function loadHelpArticles(brand: Brand, dir: string = DEFAULT_HELP_DIR): HelpArticle[] {
  const values = brandPlaceholders(brand)
  const articles: HelpArticle[] = []
  for (const language of brand.languages) {
    let files: string[]
    try {
      files = readdirSync(path.join(dir, language)).filter((f) => /^[a-z0-9-]+\.md$/.test(f))
    } catch {
      continue
    }
    for (const file of files) {
      const { meta, body } = splitFrontMatter(readFileSync(path.join(dir, language, file), 'utf8'))
      const markdown = fill(body, values)
      const slug = file.slice(0, -'.md'.length)
      articles.push({
        slug,
        language,
        title: fill(meta.title ?? slug, values),
        summary: fill(meta.summary ?? '', values),
        order: Number(meta.order ?? 100),
        markdown,
      })
    }
  }
  return articles.sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug))
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/

/** Words of a query; runs of Chinese characters become overlapping pairs, since Chinese has no spaces. */
export function queryTerms(query: string): string[] {
  const terms: string[] = []
  for (const token of query.toLowerCase().split(/[\s,.;:!?，。；：！？、"“”'()（）]+/)) {
    if (!token) continue
    let latin = ''
    let han = ''
    const flush = () => {
      if (latin) terms.push(latin)
      if (han.length === 1) terms.push(han)
      for (let i = 0; i + 1 < han.length; i++) terms.push(han.slice(i, i + 2))
      latin = ''
      han = ''
    }
    for (const ch of token) {
      if (CJK.test(ch)) {
        if (latin) flush()
        han += ch
      } else {
        if (han) flush()
        latin += ch
      }
    }
    flush()
  }
  return [...new Set(terms)].slice(0, 30)
}

/**
 * Articles in `language` matching the query, best first: a title hit counts more than a body hit, and
 * body hits count up to five; an article must contain most of the terms (all of them for one or two terms).
 */
export function searchHelpArticles(articles: readonly HelpArticle[], language: Language, query: string): HelpArticle[] {
  const terms = queryTerms(query)
  if (terms.length === 0) return []
  const needed = terms.length <= 2 ? terms.length : Math.ceil(terms.length * 0.6)
  return articles
    .filter((a) => a.language === language)
    .map((a) => {
      const title = `${a.title} ${a.summary}`.toLowerCase()
      const body = a.markdown.toLowerCase()
      let found = 0
      let score = 0
      for (const term of terms) {
        const inTitle = title.includes(term)
        const bodyHits = Math.min(body.split(term).length - 1, 5)
        if (inTitle || bodyHits > 0) found++
        score += (inTitle ? 5 : 0) + bodyHits
      }
      return { a, found, score }
    })
    .filter((r) => r.found >= needed)
    .sort((x, y) => y.score - x.score || x.a.order - y.a.order)
    .map((r) => r.a)
}
