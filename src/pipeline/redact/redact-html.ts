import type { Finding } from './finding.ts'
import { normalizeWidth } from './normalize-width.ts'
import { findSensitiveData } from './redact-sensitive-data.ts'
import { detectMarkerLanguage, formatRedactionMarker } from './redaction-marker.ts'

/**
 * HTML redaction works on what a reader sees, not on the markup: the text nodes are joined into one visible
 * text (entities decoded, block tags as line breaks, table cells as spaces, inline tags as nothing), so
 * "<td>账号</td><td>6222…</td>" and "<b>4242</b> 4242 4242 4242" are recognized like plain text. Each visible
 * character remembers the raw range it came from; a finding then rewrites only text, never a tag: its first
 * text piece becomes the marker and any further pieces (behind an inline tag) become empty.
 *
 * Not scanned: tag attributes (href, title, alt, value), comments, and <script>/<style> contents.
 */

/** Tags that start a new line for the reader (a label before one does not describe a number after it). */
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'footer', 'form', 'h1', 'h2', 'h3', 'h4',
  'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'tbody', 'tfoot', 'thead',
  'tr', 'ul', 'body', 'html', 'head', 'title',
])
const CELL_TAGS = new Set(['td', 'th'])
const RAW_TEXT_TAGS = new Set(['script', 'style'])

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009',
  hyphen: '-', dash: '-', ndash: '\u2013', mdash: '\u2014', colon: ':',
}

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]{2,8}));/y

interface VisibleText {
  text: string
  /** Raw offsets per visible UTF-16 unit; -1 for separators that stand for a tag. */
  rawStarts: Int32Array
  rawEnds: Int32Array
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

function isTagNameChar(code: number): boolean {
  return isAsciiLetter(code) || (code >= 48 && code <= 57) || code === 0x2d
}

/** Reads a tag from `<` to its `>`, skipping quoted attribute values; returns its end and lowercased name. */
function readTag(html: string, start: number): { end: number; name: string; closing: boolean } {
  let i = start + 1
  const closing = html.charCodeAt(i) === 0x2f
  if (closing) i++
  const nameStart = i
  while (i < html.length && isTagNameChar(html.charCodeAt(i))) i++
  const name = html.slice(nameStart, i).toLowerCase()
  let quote = 0
  while (i < html.length) {
    const code = html.charCodeAt(i)
    if (quote !== 0) {
      if (code === quote) quote = 0
    } else if (code === 0x22 || code === 0x27) {
      quote = code
    } else if (code === 0x3e) {
      return { end: i + 1, name, closing }
    }
    i++
  }
  return { end: html.length, name, closing }
}

/** Where the raw text of <script>/<style> ends: at its closing tag (case-insensitive), or the end. */
function findRawTextEnd(html: string, from: number, name: string): number {
  const closing = new RegExp(`</${name}[\\s>/]`, 'ig')
  closing.lastIndex = from
  const match = closing.exec(html)
  return match ? match.index : html.length
}

/** True when the "<" at `at` opens a tag, a closing tag, a comment, a doctype or a processing instruction. */
function startsMarkup(html: string, at: number): boolean {
  const next = html.charCodeAt(at + 1)
  return next === 0x21 || next === 0x3f || isAsciiLetter(next) || (next === 0x2f && isAsciiLetter(html.charCodeAt(at + 2)))
}

function buildVisibleText(html: string): VisibleText {
  const parts: string[] = []
  const rawStarts = new Int32Array(html.length + 1)
  const rawEnds = new Int32Array(html.length + 1)
  let length = 0
  const push = (piece: string, rawStart: number, rawEnd: number): void => {
    parts.push(piece)
    for (let k = 0; k < piece.length; k++) {
      rawStarts[length] = rawStart
      rawEnds[length] = rawEnd
      length++
    }
  }
  let i = 0
  while (i < html.length) {
    const code = html.charCodeAt(i)
    if (code === 0x3c && startsMarkup(html, i)) {
      if (html.startsWith('<!--', i)) {
        const close = html.indexOf('-->', i + 4)
        i = close < 0 ? html.length : close + 3
        continue
      }
      const tag = readTag(html, i)
      // A separator replaces one raw character of markup, so the visible text never outgrows the arrays.
      if (BLOCK_TAGS.has(tag.name)) push('\n', -1, -1)
      else if (CELL_TAGS.has(tag.name)) push(' ', -1, -1)
      i = tag.end
      if (!tag.closing && RAW_TEXT_TAGS.has(tag.name)) i = findRawTextEnd(html, i, tag.name)
      continue
    }
    if (code === 0x26) {
      ENTITY.lastIndex = i
      const match = ENTITY.exec(html)
      const decoded = match ? decodeEntity(match) : undefined
      if (match && decoded !== undefined) {
        push(decoded, i, i + match[0].length)
        i += match[0].length
        continue
      }
    }
    // Copy plain text up to the next tag or entity in one piece (a bare "<" or "&" is text).
    let end = i + 1
    while (end < html.length) {
      const next = html.charCodeAt(end)
      if (next === 0x3c && startsMarkup(html, end)) break
      if (next === 0x26) {
        ENTITY.lastIndex = end
        if (ENTITY.test(html)) break
      }
      end++
    }
    parts.push(html.slice(i, end))
    for (let k = i; k < end; k++) {
      rawStarts[length] = k
      rawEnds[length] = k + 1
      length++
    }
    i = end
  }
  return { text: parts.join(''), rawStarts, rawEnds }
}

function decodeEntity(match: RegExpExecArray): string | undefined {
  const [, decimal, hex, name] = match
  if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()]
  const codePoint = decimal !== undefined ? Number(decimal) : Number.parseInt(hex ?? '', 16)
  if (!Number.isInteger(codePoint) || codePoint <= 0 || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return undefined
  return String.fromCodePoint(codePoint)
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * Redacts the text of an HTML document without touching its markup; `findings` carry offsets into the `html`
 * input, covering the raw text of each secret (entities included, tags it spans included).
 */
export function redactHtml(html: string): { html: string; findings: Finding[] } {
  const visible = buildVisibleText(html)
  const edits: Array<{ start: number; end: number; replacement: string }> = []
  const findings: Finding[] = []
  for (const finding of findSensitiveData(visible.text)) {
    const language = detectMarkerLanguage(visible.text, finding.start, finding.end)
    const marker = escapeHtml(formatRedactionMarker(finding.type, normalizeWidth(visible.text.slice(finding.start, finding.end)), language))
    let pieceStart = -1
    let pieceEnd = -1
    let first = -1
    let last = -1
    const flush = (): void => {
      if (pieceStart < 0) return
      edits.push({ start: pieceStart, end: pieceEnd, replacement: first === pieceStart ? marker : '' })
    }
    for (let k = finding.start; k < finding.end; k++) {
      const rawStart = visible.rawStarts[k] ?? -1
      const rawEnd = visible.rawEnds[k] ?? -1
      if (rawStart < 0 || rawStart < pieceEnd) continue // a tag separator, or the 2nd unit of an entity
      if (rawStart !== pieceEnd) {
        flush()
        pieceStart = rawStart
        if (first < 0) first = rawStart
      }
      pieceEnd = rawEnd
      last = rawEnd
    }
    flush()
    if (first >= 0) findings.push({ type: finding.type, start: first, end: last })
  }
  const out: string[] = []
  let cursor = 0
  for (const edit of edits) {
    out.push(html.slice(cursor, edit.start), edit.replacement)
    cursor = edit.end
  }
  out.push(html.slice(cursor))
  return { html: out.join(''), findings }
}
