/** A link in a message: where it goes, and the host its visible text shows, if the text looks like an address. */
export interface MessageLink {
  href: string
  shownHost: string | undefined
}

const MAX_LINKS = 200
const ANCHOR = /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]{0,2000}?)<\/a\s*>/gi
const BARE_URL = /\bhttps?:\/\/[^\s<>"'()\]]+/gi
const SHOWN_ADDRESS = /^(?:https?:\/\/)?((?:[\p{L}\p{N}-]+\.)+[\p{L}]{2,})(?::\d+)?(?:[/?#]\S*)?$/iu

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&nbsp;/gi, ' ')
    .replace(/&#(\d{1,6});/g, (_, d: string) => String.fromCodePoint(Math.min(Number(d), 0x10ffff)))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_, h: string) => String.fromCodePoint(Math.min(Number.parseInt(h, 16), 0x10ffff)))
}

/** The host a link's visible text claims, when the text is itself an address (www.okpay.com, https://…). */
export function shownHostOf(text: string): string | undefined {
  const t = text.trim().replace(/[\s\u200b-\u200d\ufeff]+/g, '')
  const match = SHOWN_ADDRESS.exec(t)
  return match?.[1]?.toLowerCase()
}

/** Plain text of an HTML body, for the content scan. */
export function htmlToText(html: string): string {
  return decodeEntities(html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<br\s*\/?>|<\/p>|<\/div>|<\/tr>|<\/li>/gi, '\n').replace(/<[^>]+>/g, ' '))
}

/** Links from the HTML anchors and the plain-text URLs of a message (at most 200). */
export function extractLinks(html: string | undefined, text: string | undefined): MessageLink[] {
  const links: MessageLink[] = []
  const seen = new Set<string>()
  if (html) {
    for (const m of html.slice(0, 2_000_000).matchAll(ANCHOR)) {
      if (links.length >= MAX_LINKS) break
      const href = decodeEntities((m[1] ?? m[2] ?? m[3] ?? '').trim())
      if (!/^https?:/i.test(href)) continue
      const shown = shownHostOf(htmlToText(m[4] ?? ''))
      const key = `${href}\u0000${shown ?? ''}`
      if (seen.has(key)) continue
      seen.add(key)
      links.push({ href, shownHost: shown })
    }
  }
  if (text) {
    for (const m of text.slice(0, 1_000_000).matchAll(BARE_URL)) {
      if (links.length >= MAX_LINKS) break
      const href = m[0].replace(/[.,;:!?，。]+$/, '')
      if (seen.has(`${href}\u0000`)) continue
      seen.add(`${href}\u0000`)
      links.push({ href, shownHost: undefined })
    }
  }
  return links
}
