import { decodeEntities, htmlToText, readTag, startsMarkup } from '../pipeline/html-text.ts'

/** A link in a message: where it goes, and the host its visible text shows, if the text looks like an address. */
export interface MessageLink {
  href: string
  shownHost: string | undefined
}

const MAX_LINKS = 200
/** Anchors read at most (links or not): each costs a look ahead for its closing tag. */
const MAX_ANCHORS = 2000
/** The visible text of a link is read up to its closing tag within this many characters. */
const MAX_LINK_TEXT = 2000
/** Attributes are read from the first this-many characters of a tag. */
const MAX_TAG_CHARS = 4096
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i
const ANCHOR_CLOSE = /<\/a\s*>/i
const BARE_URL = /\bhttps?:\/\/[^\s<>"'()\]]+/gi
const SHOWN_ADDRESS = /^(?:https?:\/\/)?((?:[\p{L}\p{N}-]+\.)+[\p{L}]{2,})(?::\d+)?(?:[/?#]\S*)?$/iu

/** The host a link's visible text claims, when the text is itself an address (www.okpay.com, https://…). */
export function shownHostOf(text: string): string | undefined {
  const t = text.trim().replace(/[\s\u200b-\u200d\ufeff]+/g, '')
  const match = SHOWN_ADDRESS.exec(t)
  return match?.[1]?.toLowerCase()
}

/** Links from the HTML anchors and the plain-text URLs of a message (at most 200). */
export function extractLinks(html: string | undefined, text: string | undefined): MessageLink[] {
  const links: MessageLink[] = []
  const seen = new Set<string>()
  if (html) {
    // One forward pass over the tags (html-text.ts's scanner): a single regular expression over the document
    // backtracked without end on unclosed anchors and quotes (200 "<a href=\"…" took 1.3 s, growing with the cube).
    const doc = html.slice(0, 2_000_000)
    let anchors = 0
    for (let at = doc.indexOf('<'); at >= 0 && links.length < MAX_LINKS && anchors < MAX_ANCHORS; ) {
      if (!startsMarkup(doc, at)) {
        at = doc.indexOf('<', at + 1)
        continue
      }
      if (doc.startsWith('<!--', at)) {
        const close = doc.indexOf('-->', at + 4)
        at = close < 0 ? -1 : doc.indexOf('<', close + 3)
        continue
      }
      const tag = readTag(doc, at)
      if (tag.name === 'a' && !tag.closing) {
        anchors++
        const m = HREF.exec(doc.slice(at, Math.min(tag.end, at + MAX_TAG_CHARS)))
        const href = decodeEntities((m?.[1] ?? m?.[2] ?? m?.[3] ?? '').trim())
        const ahead = doc.slice(tag.end, tag.end + MAX_LINK_TEXT + 8)
        const close = ANCHOR_CLOSE.exec(ahead)
        if (close && close.index <= MAX_LINK_TEXT && /^https?:/i.test(href)) {
          const shown = shownHostOf(htmlToText(ahead.slice(0, close.index)))
          const key = `${href}\u0000${shown ?? ''}`
          if (!seen.has(key)) {
            seen.add(key)
            links.push({ href, shownHost: shown })
          }
        }
      }
      at = doc.indexOf('<', tag.end)
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
