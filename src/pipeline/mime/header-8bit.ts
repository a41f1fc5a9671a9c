/**
 * Raw 8-bit bytes in header fields. Old Foxmail, Outlook Express and many bulk mailers write the Subject,
 * display names and attachment names in the local code page (GBK, Big5) without RFC 2047 encoded words.
 * postal-mime reads header lines as UTF-8, so those bytes become U+FFFD and the text is lost. Before it
 * sees the message, such lines are transcoded to UTF-8 (which RFC 6532 allows in header fields and
 * postal-mime reads as it is), choosing the encoding the same way text parts do.
 */
import { isAscii } from 'node:buffer'
import { decodeBytes, decodeUtf7, describeLabel, isValidUtf8, resolveCharsetLabel, sniffEncoding } from './charset.ts'

export interface HeaderTranscoding {
  /** The message with its 8-bit header lines rewritten as UTF-8; the input itself when nothing changed. */
  raw: Uint8Array
  /** The encoding the 8-bit header bytes were read as, when any were found. */
  decodedAs?: string
  /** How many header lines were rewritten. */
  lineCount: number
  /** Encoded-word charset labels that were replaced, as "label → encoding". */
  relabelled: string[]
}

const LF = 0x0a

/** Index just past the blank line that ends the header block starting at `start`, or -1. */
function findHeaderEnd(raw: Uint8Array, start: number): number {
  for (let i = raw.indexOf(LF, start); i >= 0 && i + 1 < raw.length; i = raw.indexOf(LF, i + 1)) {
    if (raw[i + 1] === LF) return i + 2
    if (raw[i + 1] === 0x0d && raw[i + 2] === LF) return i + 3
  }
  return -1
}

function hasHighByte(raw: Uint8Array, start: number, end: number): boolean {
  return !isAscii(raw.subarray(start, end))
}

/** The charset the message declares for its text, if any, as a hint for its header bytes. */
function declaredCharsetHint(raw: Uint8Array): string | undefined {
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, 64 * 1024)).toString('latin1')
  for (const match of head.matchAll(/charset\s*=\s*"?([\w.:-]{1,40})/gi)) {
    const encoding = resolveCharsetLabel(match[1])
    if (encoding && encoding !== 'utf-8' && encoding !== 'sniff' && encoding !== 'utf-7' && encoding !== 'windows-1252') return encoding
  }
  return undefined
}

interface Span {
  start: number
  end: number
}

/**
 * Header lines (of the message and, when the message has any, of its MIME parts) holding 8-bit bytes that
 * are not UTF-8. Part headers are found by following the boundaries that the headers declare.
 */
function findEightBitHeaderLines(raw: Uint8Array, topEnd: number, scanParts: boolean): Span[] {
  const spans: Span[] = []
  const boundaries = new Set<string>()
  const addLine = (start: number, end: number): void => {
    if (!hasHighByte(raw, start, end)) return
    if (!isValidUtf8(raw.subarray(start, end))) spans.push({ start, end })
  }
  const collectBoundary = (start: number, end: number): void => {
    const line = Buffer.from(raw.buffer, raw.byteOffset + start, end - start).toString('latin1')
    const match = /boundary\s*=\s*(?:"([^"]{1,200})"|([^\s;]{1,200}))/i.exec(line)
    const boundary = match?.[1] ?? match?.[2]
    if (boundary) boundaries.add(boundary)
  }

  let inHeader = true
  for (let start = 0; start < raw.length; ) {
    const newline = raw.indexOf(LF, start)
    const end = newline < 0 ? raw.length : newline + 1
    if (!scanParts && start >= topEnd) break
    if (inHeader) {
      const isBlank = end - start <= 2 && (raw[start] === LF || (raw[start] === 0x0d && raw[start + 1] === LF))
      if (isBlank) {
        inHeader = false
      } else {
        addLine(start, end)
        // a boundary parameter may sit on a folded continuation line, so look at every header line
        collectBoundary(start, end)
      }
    } else if (raw[start] === 0x2d && raw[start + 1] === 0x2d && boundaries.size > 0) {
      const line = Buffer.from(raw.buffer, raw.byteOffset + start + 2, Math.min(end - start - 2, 210)).toString('latin1').trimEnd()
      if (boundaries.has(line)) inHeader = true
    }
    start = end
  }
  return spans
}

/**
 * Rewrites header lines whose 8-bit bytes are not UTF-8 as UTF-8, so a GBK Subject or Big5 display name
 * survives parsing. Cheap when there is nothing to do: only the top header block is scanned, and part
 * headers only when the top block already shows the sender writes raw 8-bit headers.
 */
export function transcodeEightBitHeaders(input: Uint8Array): HeaderTranscoding {
  const { raw, relabelled } = relabelEncodedWords(input)
  const headerEnd = findHeaderEnd(raw, 0)
  const topEnd = headerEnd < 0 ? raw.length : headerEnd
  if (!hasHighByte(raw, 0, topEnd) || isValidUtf8(raw.subarray(0, topEnd))) return { raw, lineCount: 0, relabelled }

  const spans = findEightBitHeaderLines(raw, topEnd, headerEnd >= 0)
  if (spans.length === 0) return { raw, lineCount: 0, relabelled }

  // One decision for every line, so a Subject and a display name are read alike.
  const joined = Buffer.concat(spans.map((span) => raw.subarray(span.start, span.end)))
  const encoding = sniffEncoding(joined, declaredCharsetHint(raw))
  const encoder = new TextEncoder()
  const pieces: Uint8Array[] = []
  let cursor = 0
  for (const span of spans) {
    pieces.push(raw.subarray(cursor, span.start), encoder.encode(decodeBytes(raw.subarray(span.start, span.end), encoding)))
    cursor = span.end
  }
  pieces.push(raw.subarray(cursor))
  return { raw: Buffer.concat(pieces), decodedAs: describeLabel(encoding), lineCount: spans.length, relabelled }
}

const ENCODED_WORD = /=\?([^?\s*]{1,60})(\*[^?\s]*)?\?([QqBb])\?([^?]*)\?=/g

function encodedWordBytes(encoding: string, text: string): Uint8Array {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64')
  return Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1')
}

/**
 * Encoded words in the top header block whose charset label postal-mime would misread (it falls back to
 * windows-1252 for labels TextDecoder does not know) get the label of the encoding we resolve them to.
 * Only the label changes, so postal-mime still joins multi-byte characters split across adjacent words.
 */
function relabelEncodedWords(raw: Uint8Array): { raw: Uint8Array; relabelled: string[] } {
  const headerEnd = findHeaderEnd(raw, 0)
  const topEnd = headerEnd < 0 ? raw.length : headerEnd
  const original = Buffer.from(raw.buffer, raw.byteOffset, topEnd).toString('latin1')
  if (!original.includes('=?')) return { raw, relabelled: [] }
  const block = joinSplitCharacters(original)

  const replacements = new Map<string, string>()
  const sniffed = new Map<string, Uint8Array[]>()
  for (const match of block.matchAll(ENCODED_WORD)) {
    const label = (match[1] ?? '').toLowerCase()
    if (replacements.has(label) || isWhatwgLabel(label)) continue
    const resolved = resolveCharsetLabel(label)
    if (resolved === undefined || resolved === 'sniff') {
      const list = sniffed.get(label) ?? []
      list.push(encodedWordBytes(match[3] ?? 'B', match[4] ?? ''))
      sniffed.set(label, list)
    } else {
      replacements.set(label, resolved)
    }
  }
  for (const [label, chunks] of sniffed) replacements.set(label, sniffEncoding(Buffer.concat(chunks)))
  if (replacements.size === 0) {
    return block === original ? { raw, relabelled: [] } : { raw: Buffer.concat([Buffer.from(block, 'latin1'), raw.subarray(topEnd)]), relabelled: [] }
  }

  const rewritten = block.replace(ENCODED_WORD, (word, label: string, language: string | undefined, encoding: string, text: string) => {
    const replacement = replacements.get(label.toLowerCase())
    if (replacement === 'utf-7') {
      // UTF-7 has no TextDecoder, so the word is decoded here and written back as UTF-8.
      return `=?utf-8?B?${Buffer.from(decodeUtf7(encodedWordBytes(encoding, text)), 'utf8').toString('base64')}?=`
    }
    return replacement ? `=?${replacement}${language ?? ''}?${encoding}?${text}?=` : word
  })
  const relabelled = [...replacements].map(([label, encoding]) => `${describeLabel(label)} → ${encoding === 'utf-7' ? 'utf-8 (decoded from UTF-7)' : encoding}`)
  return { raw: Buffer.concat([Buffer.from(rewritten, 'latin1'), raw.subarray(topEnd)]), relabelled }
}

// The folding whitespace is written so that a long run of blanks cannot be split two ways (no backtracking blow-up).
const ADJACENT_B_WORDS = /=\?([^?\s*]{1,60})\?[Bb]\?[A-Za-z0-9+/=]*\?=(?:(?:[ \t]*\r?\n)?[ \t]+=\?\1\?[Bb]\?[A-Za-z0-9+/=]*\?=)+/g
const B_WORD = /=\?[^?\s*]{1,60}\?[Bb]\?([A-Za-z0-9+/=]*)\?=/g

/**
 * Some senders split a multi-byte character between two base64 encoded words, each padded on its own.
 * RFC 2047 forbids it and postal-mime only joins unpadded words, so such runs of words become one word
 * when the pieces do not decode alone and the joined bytes do.
 */
function joinSplitCharacters(block: string): string {
  if (!/\?=(?:[ \t]*\r?\n)?[ \t]+=\?/.test(block)) return block
  return block.replace(ADJACENT_B_WORDS, (run, label: string) => {
    const encoding = resolveCharsetLabel(label)
    if (!encoding || encoding === 'sniff' || encoding === 'utf-7') return run
    let decoder: TextDecoder
    try {
      decoder = new TextDecoder(encoding, { fatal: true })
    } catch {
      return run
    }
    const pieces = [...run.matchAll(B_WORD)].map((word) => Buffer.from(word[1] ?? '', 'base64'))
    const decodes = (bytes: Uint8Array): boolean => {
      try {
        decoder.decode(bytes)
        return true
      } catch {
        return false
      }
    }
    if (pieces.every(decodes)) return run
    const joined = Buffer.concat(pieces)
    return decodes(joined) ? `=?${label}?B?${joined.toString('base64')}?=` : run
  })
}

const whatwgLabels = new Map<string, boolean>()
/** Whether TextDecoder accepts the label as written, which is what postal-mime tries first. */
function isWhatwgLabel(label: string): boolean {
  let known = whatwgLabels.get(label)
  if (known === undefined) {
    try {
      known = new TextDecoder(label).encoding !== 'replacement'
    } catch {
      known = false
    }
    if (whatwgLabels.size < 1000) whatwgLabels.set(label, known)
  }
  return known
}
