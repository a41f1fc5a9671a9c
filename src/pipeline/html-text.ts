/**
 * What a reader sees of an HTML document, read with a small tolerant scanner (mail HTML is often broken): the text
 * nodes joined into one visible text, entities decoded, block tags as line breaks, table cells as spaces, inline tags
 * as nothing, comments and <script>/<style> contents left out. Redaction finds secrets in it (redact/redact-html.ts);
 * a message with only an HTML body gets its text from it (parse-message.ts).
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
  hyphen: '-', dash: '-', ndash: '\u2013', mdash: '\u2014', colon: ':', euro: '\u20ac', pound: '\u00a3', yen: '\u00a5',
  cent: '\u00a2', copy: '\u00a9', reg: '\u00ae', trade: '\u2122', laquo: '\u00ab', raquo: '\u00bb', lsquo: '\u2018',
  rsquo: '\u2019', ldquo: '\u201c', rdquo: '\u201d', hellip: '\u2026', middot: '\u00b7', bull: '\u2022',
}

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]{2,8}));/y

export interface VisibleText {
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
export function readTag(html: string, start: number): { end: number; name: string; closing: boolean } {
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
export function startsMarkup(html: string, at: number): boolean {
  const next = html.charCodeAt(at + 1)
  return next === 0x21 || next === 0x3f || isAsciiLetter(next) || (next === 0x2f && isAsciiLetter(html.charCodeAt(at + 2)))
}

/** What the scanner reports, in document order. */
interface VisibleSink {
  /** A tag that the reader sees as a line break (block) or a space (table cell). */
  separator(kind: 'block' | 'cell'): void
  /** An entity, decoded; `rawStart`–`rawEnd` is its source. */
  decoded(text: string, rawStart: number, rawEnd: number): void
  /** Source text shown as it is, `html.slice(rawStart, rawEnd)`. */
  plain(rawStart: number, rawEnd: number): void
}

/** Reads the visible text of an HTML document once, front to back, telling `sink` what it finds. */
function scanVisible(html: string, sink: VisibleSink): void {
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
      if (BLOCK_TAGS.has(tag.name)) sink.separator('block')
      else if (CELL_TAGS.has(tag.name)) sink.separator('cell')
      i = tag.end
      if (!tag.closing && RAW_TEXT_TAGS.has(tag.name)) i = findRawTextEnd(html, i, tag.name)
      continue
    }
    if (code === 0x26) {
      ENTITY.lastIndex = i
      const match = ENTITY.exec(html)
      const decoded = match ? decodeEntity(match[1], match[2], match[3]) : undefined
      if (match && decoded !== undefined) {
        sink.decoded(decoded, i, i + match[0].length)
        i += match[0].length
        continue
      }
    }
    // Plain text up to the next tag or entity in one piece (a bare "<" or "&" is text).
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
    sink.plain(i, end)
    i = end
  }
}

/** The visible text with, for each of its characters, the raw range it came from (for redaction). */
export function buildVisibleText(html: string): VisibleText {
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
  scanVisible(html, {
    // A separator stands for at least one raw character of markup, so the visible text never outgrows the arrays.
    separator: (kind) => push(kind === 'block' ? '\n' : ' ', -1, -1),
    decoded: push,
    plain: (rawStart, rawEnd) => {
      parts.push(html.slice(rawStart, rawEnd))
      for (let k = rawStart; k < rawEnd; k++) {
        rawStarts[length] = k
        rawEnds[length] = k + 1
        length++
      }
    },
  })
  return { text: parts.join(''), rawStarts, rawEnds }
}

/** A character reference's text from its parts (decimal, hex or name); undefined for one that names nothing. */
function decodeEntity(decimal: string | undefined, hex: string | undefined, name: string | undefined): string | undefined {
  if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()]
  const codePoint = decimal !== undefined ? Number(decimal) : Number.parseInt(hex ?? '', 16)
  if (!Number.isInteger(codePoint) || codePoint <= 0 || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return undefined
  return String.fromCodePoint(codePoint)
}

const ENTITIES = new RegExp(ENTITY.source, 'g')

/** Text from HTML (an attribute value, say) with its character references decoded, as the scanner decodes them. */
export function decodeEntities(text: string): string {
  return text.replace(ENTITIES, (whole, decimal?: string, hex?: string, name?: string) => decodeEntity(decimal, hex, name) ?? whole)
}

/**
 * The text of an HTML body as plain text, for search, classification and extraction: source whitespace collapsed as
 * a browser does, a line break per block tag (a blank line at most between blocks), a space per table cell, the
 * <head> left out.
 */
export function htmlToText(html: string): string {
  const source = withoutHead(html)
  const out: string[] = []
  let pendingSpace = false
  let lineStart = true
  // One piece per text node, its whitespace runs collapsed to single spaces (a piece per word held ~30 bytes each).
  const addText = (text: string): void => {
    const collapsed = text.replace(/[ \t\n\r\f\u00a0]+/g, ' ')
    if (collapsed === '') return
    if (collapsed === ' ') {
      pendingSpace = true
      return
    }
    const leading = collapsed.startsWith(' ')
    const trailing = collapsed.endsWith(' ')
    if ((pendingSpace || leading) && !lineStart) out.push(' ')
    out.push(collapsed.slice(leading ? 1 : 0, trailing ? -1 : undefined))
    pendingSpace = trailing
    lineStart = false
  }
  // No offset arrays (8 bytes per character of the document): only the text is wanted here.
  scanVisible(source, {
    separator: (kind) => {
      if (kind === 'cell') {
        pendingSpace = true
        return
      }
      out.push('\n')
      pendingSpace = false
      lineStart = true
    },
    decoded: (text) => addText(text),
    plain: (rawStart, rawEnd) => addText(source.slice(rawStart, rawEnd)),
  })
  return out.join('').replace(/\n{3,}/g, '\n\n').trim()
}

/**
 * The document without its first <head> … </head> (title, meta: not what the reader sees in a mail client). Two
 * forward scans: a lazy regular expression over the whole document was quadratic on a hostile one ("<head>" repeated
 * with no closing tag: 120 kB took 0.6 s).
 */
function withoutHead(html: string): string {
  const open = /<head[\s>]/i.exec(html)
  if (!open) return html
  const close = /<\/head\s*>/gi
  close.lastIndex = open.index
  const end = close.exec(html)
  return end ? html.slice(0, open.index) + html.slice(end.index + end[0].length) : html
}
