/**
 * Charset labels as mail clients really write them, and a fallback for text whose label is wrong.
 *
 * postal-mime hands every label to TextDecoder and silently falls back to windows-1252 for anything it does
 * not know, which turns GBK or Big5 text into Latin mojibake with nothing to signal it. Here the label goes
 * through a deliberate alias table first; when it is still unknown, says nothing (us-ascii, unknown-8bit), or
 * the declared decoder produces U+FFFD, the bytes are tried as strict UTF-8, then GB18030 (a superset of
 * GBK and GB2312), Big5 and windows-1252, and the most plausible reading wins.
 */
import { isAscii, isUtf8 } from 'node:buffer'

/** The outcome of decoding one text part or header value. */
export interface DecodedText {
  text: string
  /** WHATWG name of the encoding that produced `text` (or `utf-7`). */
  charset: string
  /** Set when the declared label was not used as written: why, for a CHARSET_FALLBACK warning. */
  fallbackReason?: string
}

/** Labels that carry no information about the bytes: decode by sniffing. */
const SNIFF = 'sniff'
const UTF7 = 'utf-7'

// Label → encoding, after lowercasing and trimming. WHATWG already knows some of these; they are listed
// anyway so the table is the one place that says what each mislabelled name really means.
const CHARSET_ALIASES = new Map<string, string>([
  // Simplified Chinese: GB2312 and GBK are subsets of GB18030, so every spelling decodes with it.
  ...['gb2312', 'gb_2312', 'gb_2312-80', 'csgb2312', 'x-gb2312', 'euc-cn', 'x-euc-cn', 'euccn', 'chinese', 'csiso58gb231280',
    'iso-ir-58', 'gbk', 'x-gbk', 'cp936', 'ms936', 'windows-936', 'x-cp936', 'gb18030', 'gb-18030', 'x-gb18030', 'gb18030-2000',
    'gb18030-2005', 'gb18030-2022'].map((label): [string, string] => [label, 'gb18030']),
  // Traditional Chinese. WHATWG big5 is Big5-HKSCS, a superset of the Microsoft and ETEN variants.
  ...['big5', 'big-5', 'big5-hkscs', 'big5hkscs', 'x-x-big5', 'x-big5', 'cn-big5', 'csbig5', 'cp950', 'ms950', 'windows-950',
    'big5-eten'].map((label): [string, string] => [label, 'big5']),
  // Korean: ks_c_5601-1987 is what Outlook writes for cp949, which WHATWG euc-kr covers.
  ...['ks_c_5601-1987', 'ks_c_5601-1989', 'ks_c_5601', 'ksc5601', 'ksc_5601', 'euc-kr', 'x-euc-kr', 'euckr', 'cp949', 'ms949',
    'windows-949', 'uhc', 'korean', 'csksc56011987'].map((label): [string, string] => [label, 'euc-kr']),
  // Japanese.
  ...['shift_jis', 'shift-jis', 'x-sjis', 'sjis', 'ms_kanji', 'csshiftjis', 'cp932', 'ms932', 'windows-31j', 'x-ms-cp932',
    'windows-932'].map((label): [string, string] => [label, 'shift_jis']),
  ...['iso-2022-jp', 'iso-2022-jp-1', 'iso-2022-jp-2', 'iso-2022-jp-3', 'iso-2022-jp-2004', 'csiso2022jp', 'csiso2022jp2',
    'x-iso-2022-jp', 'cp50220', 'cp50221', 'cp50222', 'jis', 'junet'].map((label): [string, string] => [label, 'iso-2022-jp']),
  ...['euc-jp', 'x-euc-jp', 'eucjp', 'cseucpkdfmtjapanese', 'cp51932'].map((label): [string, string] => [label, 'euc-jp']),
  // Unicode.
  ...['utf-8', 'utf8', 'x-utf8', 'x-utf-8', 'utf_8', 'unicode-1-1-utf-8', 'unicode-2-0-utf-8'].map((label): [string, string] => [label, 'utf-8']),
  ...['utf-7', 'utf7', 'x-utf-7', 'unicode-1-1-utf-7', 'x-unicode-1-1-utf-7', 'csunicode11utf7', 'x-unicode-2-0-utf-7'].map(
    (label): [string, string] => [label, UTF7],
  ),
  // Labels that say nothing: ASCII is correct only until the first 8-bit byte, which then needs a guess.
  ...['', 'us-ascii', 'ascii', 'ansi_x3.4-1968', 'iso646-us', 'x-unknown', 'unknown', 'unknown-8bit', 'x-unknown-8bit',
    'default', 'none', '8bit', 'us', 'charset', 'x-user-defined'].map((label): [string, string] => [label, SNIFF]),
])

const MULTIBYTE_FAMILIES: Record<string, true> = { gb18030: true, gbk: true, big5: true, shift_jis: true, 'euc-jp': true, 'euc-kr': true, 'iso-2022-jp': true }

/** WHATWG single-byte Latin labels; their text is sniffed only when it is plainly something else. */
const LATIN_ENCODINGS = new Set(['windows-1252', 'iso-8859-15', 'iso-8859-2', 'windows-1250'])

/** The one method of TextDecoder we use, so windows-1252 can be decoded by hand. */
export interface ByteDecoder {
  decode(bytes: Uint8Array): string
}

// Node 20's TextDecoder('windows-1252') decodes as ISO-8859-1: 0x80-0x9F become C1 controls instead of
// the curly quotes, dashes and euro sign Windows text means by them (nodejs/node#56542).
const WINDOWS_1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178'
const windows1252Decoder: ByteDecoder = {
  decode(bytes: Uint8Array): string {
    const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
    return latin1.replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_HIGH.charAt(c.charCodeAt(0) - 0x80))
  },
}

/**
 * Header text postal-mime decoded as windows-1252 or ISO-8859-1 went through Node's decoder, so its curly
 * quotes arrived as C1 controls, which never belong in a subject or a name; map them back.
 */
export function repairC1Controls(text: string): string {
  return /[\x80-\x9f]/.test(text) ? text.replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_HIGH.charAt(c.charCodeAt(0) - 0x80)) : text
}

const decoderCache = new Map<string, ByteDecoder | null>()
const fatalDecoderCache = new Map<string, ByteDecoder | null>()

function decoderFor(encoding: string, fatal = false): ByteDecoder | null {
  if (encoding === 'windows-1252') return windows1252Decoder
  const cache = fatal ? fatalDecoderCache : decoderCache
  let decoder = cache.get(encoding)
  if (decoder === undefined) {
    // Only labels already known to resolve reach this, so the caches cannot grow with attacker labels.
    try {
      decoder = new TextDecoder(encoding, { fatal })
    } catch {
      decoder = null
    }
    cache.set(encoding, decoder)
  }
  return decoder
}

/** Decodes bytes with an encoding from resolveCharsetLabel() or sniffEncoding(); UTF-8 if it has no decoder. */
export function decodeBytes(bytes: Uint8Array, encoding: string): string {
  if (encoding === UTF7) return decodeUtf7(bytes)
  return (decoderFor(encoding) ?? decoderFor('utf-8') ?? new TextDecoder()).decode(bytes)
}

/** TextDecoder's canonical name for a label, or undefined when the runtime has no such decoder. */
function whatwgEncoding(label: string): string | undefined {
  if (!/^[a-z0-9._:-]{1,40}$/.test(label)) return undefined
  try {
    const encoding = new TextDecoder(label).encoding
    // `replacement` (iso-2022-kr, hz-gb-2312, …) decodes everything to one U+FFFD: useless for mail.
    return encoding === 'replacement' ? undefined : encoding
  } catch {
    return undefined
  }
}

const resolvedLabels = new Map<string, string | undefined>()

/**
 * Maps a charset label from a header to the encoding to decode with: a WHATWG encoding name, `utf-7`, or
 * `sniff` when the label says nothing. Returns undefined for a label nobody knows.
 */
export function resolveCharsetLabel(label: string | undefined | null): string | undefined {
  const key = (label ?? '').trim().replace(/^["']|["']$/g, '').trim().toLowerCase()
  const cached = resolvedLabels.get(key)
  if (cached !== undefined || resolvedLabels.has(key)) return cached
  let resolved = CHARSET_ALIASES.get(key)
  if (resolved === undefined) {
    // x-, cs- and separator decorations on a standard label, eg. "x-mac-cyrillic", "iso_8859_2", "cp1251".
    const normalized = key.replace(/^(?:x-|cs)/, '')
    resolved =
      whatwgEncoding(key) ??
      CHARSET_ALIASES.get(normalized) ??
      whatwgEncoding(normalized) ??
      whatwgEncoding(normalized.replace(/_/g, '-')) ??
      whatwgEncoding(normalized.replace(/^(?:cp|ms|ibm)-?(\d+)$/, 'windows-$1'))
  }
  // Labels come from mail, so only keep a bounded number of them.
  if (resolvedLabels.size < 1000) resolvedLabels.set(key, resolved)
  return resolved
}

/** Only printable label characters, at most 40, for warnings: the label is attacker-controlled text. */
export function describeLabel(label: string | undefined | null): string {
  const clean = (label ?? '').trim().replace(/[^\w.:+-]/g, '?').slice(0, 40)
  return clean === '' ? '(none)' : clean
}

function hasHighBytes(bytes: Uint8Array): boolean {
  return !isAscii(bytes)
}

/** Whether the bytes are well-formed UTF-8 (any ASCII text is). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes)
}

function countNonAscii(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) count++
  return count
}

function countReplacementChars(text: string): number {
  let count = 0
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) count++
  return count
}

// Byte-level plausibility of a reading. Each double-byte encoding has a "frequent" zone where ordinary text
// lives (GB2312 level-1 hanzi, Big5 level-1 characters, JIS level-1 kanji and kana, KS X 1001 Hangul) and
// punctuation rows; a wrong reading of the same bytes lands in rare rows, private use or invalid pairs.
// Scoring bytes rather than decoded characters keeps one encoding's rare rows from counting as another's
// common characters (Big5 HKSCS and GBK extension rows hold plenty of everyday ideographs).
type PairScorer = (lead: number, trail: number) => number | undefined

const inRange = (value: number, from: number, to: number): boolean => value >= from && value <= to

const PAIR_SCORERS: Record<string, { isLead: (b: number) => boolean; score: PairScorer }> = {
  gb18030: {
    isLead: (b) => inRange(b, 0x81, 0xfe),
    score: (lead, trail) => {
      if (!inRange(trail, 0x40, 0xfe) || trail === 0x7f) return undefined
      if (inRange(lead, 0xb0, 0xd7) && trail >= 0xa1) return 2
      if (inRange(lead, 0xa1, 0xa3) && trail >= 0xa1) return 1.5
      return -0.25
    },
  },
  big5: {
    isLead: (b) => inRange(b, 0x81, 0xfe),
    score: (lead, trail) => {
      if (!inRange(trail, 0x40, 0x7e) && !inRange(trail, 0xa1, 0xfe)) return undefined
      if (inRange(lead, 0xa4, 0xc5) || (lead === 0xc6 && trail <= 0x7e)) return 2
      if (inRange(lead, 0xa1, 0xa3)) return 1.5
      return -0.25
    },
  },
  shift_jis: {
    isLead: (b) => inRange(b, 0x81, 0x9f) || inRange(b, 0xe0, 0xfc),
    score: (lead, trail) => {
      if (!inRange(trail, 0x40, 0xfc) || trail === 0x7f) return undefined
      if (lead === 0x82 || lead === 0x83 || inRange(lead, 0x88, 0x9f)) return 2
      if (lead === 0x81) return 1.5
      return -0.25
    },
  },
  'euc-kr': {
    isLead: (b) => inRange(b, 0x81, 0xfe),
    score: (lead, trail) => {
      if (!inRange(trail, 0x41, 0xfe)) return undefined
      if (inRange(lead, 0xb0, 0xc8) && trail >= 0xa1) return 2
      if (inRange(lead, 0xa1, 0xa3) && trail >= 0xa1) return 1.5
      return -0.25
    },
  },
}

/** Single-byte Latin reading: accented letters and typographic punctuation are plausible, C1 gaps are not. */
function scoreLatinByte(b: number): number {
  if (b >= 0xc0) return b === 0xd7 || b === 0xf7 ? 0 : 0.5
  if (b === 0x81 || b === 0x8d || b === 0x8f || b === 0x90 || b === 0x9d) return -3
  if (b >= 0x80 && b <= 0x9f) return 0.5
  return 0
}

/** How plausible the bytes are as text in `encoding`; only 8-bit bytes count. */
function plausibility(bytes: Uint8Array, encoding: string): number {
  const pairs = PAIR_SCORERS[encoding]
  let score = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0
    if (b < 0x80) continue
    if (!pairs) {
      score += scoreLatinByte(b)
      continue
    }
    if (encoding === 'shift_jis' && inRange(b, 0xa1, 0xdf)) {
      score -= 1 // half-width katakana: what GB and Big5 text looks like read as Shift_JIS
      continue
    }
    if (encoding === 'gb18030' && inRange(b, 0x81, 0x84) && inRange(bytes[i + 1] ?? 0, 0x30, 0x39)) {
      score -= 0.5 // four-byte sequence: emoji and rare characters
      i += 3
      continue
    }
    const pairScore = pairs.isLead(b) ? pairs.score(b, bytes[i + 1] ?? 0) : undefined
    if (pairScore === undefined) {
      score -= 5 // not a character in this encoding
      continue
    }
    // A lone 8-bit byte before an ASCII word ("·Merchant", "’s") reads as a Big5 or Shift_JIS pair whose
    // trail is a letter; such a pair proves nothing either way.
    const trail = bytes[i + 1] ?? 0
    const isLetter = (c: number): boolean => inRange(c | 0x20, 0x61, 0x7a)
    score += pairScore > 0 && isLetter(trail) && isLetter(bytes[i + 2] ?? 0) ? 0 : pairScore
    i++
  }
  return score
}

/** Whether at least a tenth of the non-ASCII characters are hiragana or katakana. */
function hasKana(text: string): boolean {
  let nonAscii = 0
  let kana = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    nonAscii++
    if (c >= 0x3040 && c <= 0x30ff) kana++
  }
  return kana > 0 && kana >= nonAscii * 0.1
}

/** RFC 2152 UTF-7: `+` opens modified base64 of UTF-16BE, `-` or any non-base64 character closes it. */
export function decodeUtf7(bytes: Uint8Array): string {
  const ascii = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  return ascii.replace(/\+([A-Za-z0-9+/]*)-?/g, (_match, encoded: string) => {
    if (encoded === '') return '+'
    const units = Buffer.from(encoded, 'base64')
    let out = ''
    for (let i = 0; i + 1 < units.length; i += 2) out += String.fromCharCode(((units[i] ?? 0) << 8) | (units[i + 1] ?? 0))
    return out
  })
}

const SNIFF_SAMPLE_BYTES = 64 * 1024

/**
 * Chooses the most plausible of strict UTF-8, the declared encoding (if any), GB18030, Big5 and
 * windows-1252 for bytes whose label cannot be trusted. Decides on the first 64 KiB, decodes everything.
 */
export function sniffEncoding(bytes: Uint8Array, declared?: string): string {
  if (isValidUtf8(bytes)) return 'utf-8'
  const sample = bytes.length > SNIFF_SAMPLE_BYTES ? bytes.subarray(0, SNIFF_SAMPLE_BYTES) : bytes
  // Mostly UTF-8 with a few stray bytes (a Latin-1 signature pasted into UTF-8 text) is still UTF-8.
  if (utf8SequenceRatio(sample) >= 0.8) return 'utf-8'
  // Shift_JIS is a candidate because unlabelled Japanese is common and cheap to tell apart: GB and Big5
  // text read as Shift_JIS turns into half-width katakana, which scores below zero.
  const candidates = [declared, 'windows-1252', 'gb18030', 'big5', 'shift_jis']
  let best = 'windows-1252'
  let bestScore = -Infinity
  for (const candidate of candidates) {
    if (!candidate || candidate === UTF7 || candidate === SNIFF) continue
    const decoder = decoderFor(candidate)
    if (!decoder) continue
    // Windows-1252 smart quotes and dashes (0x91-0x97) are Shift_JIS lead bytes, and read as Shift_JIS they
    // make common kanji; Japanese is only believed when it has the kana that every Japanese sentence has.
    if (candidate === 'shift_jis' && !hasKana(decoder.decode(sample))) continue
    // The declared label wins ties: it was somebody's statement about the bytes. Otherwise windows-1252,
    // listed first, wins ties, because a double-byte reading must earn its place.
    const score = plausibility(sample, candidate) + (candidate === declared ? 1 : 0)
    if (score > bestScore) {
      best = candidate
      bestScore = score
    }
  }
  return best
}

/** The share of 8-bit bytes that form well-formed UTF-8 sequences. */
function utf8SequenceRatio(bytes: Uint8Array): number {
  let high = 0
  let inSequences = 0
  for (let i = 0; i < bytes.length; i++) {
    const lead = bytes[i] ?? 0
    if (lead < 0x80) continue
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0
    let valid = length > 0 && i + length <= bytes.length
    for (let k = 1; valid && k < length; k++) valid = ((bytes[i + k] ?? 0) & 0xc0) === 0x80
    if (valid) {
      high += length
      inSequences += length
      i += length - 1
    } else {
      high++
    }
  }
  return high === 0 ? 1 : inSequences / high
}

/** Whether reading the bytes as `candidate` is much more plausible than as the declared Latin encoding. */
function clearlyBetter(bytes: Uint8Array, candidate: string, declared: string): boolean {
  const sample = bytes.length > SNIFF_SAMPLE_BYTES ? bytes.subarray(0, SNIFF_SAMPLE_BYTES) : bytes
  const candidateScore = plausibility(sample, candidate)
  const declaredScore = plausibility(sample, declared)
  return candidateScore > declaredScore * 1.5 + 4
}

/**
 * Decodes one text part (or header value) by its declared charset label, falling back deliberately
 * when the label is unknown, uninformative, or wrong for the bytes.
 */
export function decodeText(bytes: Uint8Array, label: string | undefined | null): DecodedText {
  const resolved = resolveCharsetLabel(label)
  if (resolved === UTF7) return { text: decodeUtf7(bytes), charset: UTF7 }

  if (resolved === undefined || resolved === SNIFF) {
    if (!hasHighBytes(bytes)) return { text: decoderFor('utf-8')?.decode(bytes) ?? '', charset: 'utf-8' }
    const charset = sniffEncoding(bytes)
    const text = decoderFor(charset)?.decode(bytes) ?? ''
    // A missing label on valid UTF-8 is how much mail is written (RFC 6532); that is not a fallback.
    const silent = charset === 'utf-8' && (label === undefined || label === null || label.trim() === '')
    const reason = resolved === undefined ? `unknown charset "${describeLabel(label)}"` : `charset "${describeLabel(label)}" with 8-bit bytes`
    return silent ? { text, charset } : { text, charset, fallbackReason: `${reason}; decoded as ${charset}` }
  }

  const decoder = decoderFor(resolved)
  if (!decoder) return { text: new TextDecoder().decode(bytes), charset: 'utf-8', fallbackReason: `no decoder for "${describeLabel(label)}"` }
  const text = decoder.decode(bytes)

  if (LATIN_ENCODINGS.has(resolved)) {
    // Latin labels never produce U+FFFD, so a mislabel has to be recognized from the bytes: valid multi-byte
    // UTF-8 is almost never Latin-1 text by accident, and a CJK reading must be far more plausible.
    if (!hasHighBytes(bytes)) return { text, charset: resolved }
    if (isValidUtf8(bytes)) {
      return { text: decoderFor('utf-8')?.decode(bytes) ?? text, charset: 'utf-8', fallbackReason: `declared "${describeLabel(label)}" but the bytes are UTF-8` }
    }
    const charset = sniffEncoding(bytes, resolved)
    if (charset !== resolved && clearlyBetter(bytes, charset, resolved)) {
      return { text: decoderFor(charset)?.decode(bytes) ?? text, charset, fallbackReason: `declared "${describeLabel(label)}"; decoded as ${charset}` }
    }
    return { text, charset: resolved }
  }

  if (text.indexOf('\uFFFD') < 0) return { text, charset: resolved }
  // The declared decoder failed on some bytes; a literal U+FFFD in valid UTF-8 is not a failure.
  if (resolved === 'utf-8' && isValidUtf8(bytes)) return { text, charset: resolved }
  // A few bad bytes in otherwise good text (a truncated line, a stray byte from a signature) do not make
  // the label wrong; UTF-8 is the exception, as mislabelled local-code-page text fails on nearly every byte.
  if (resolved !== 'utf-8' && countReplacementChars(text) <= Math.max(2, countNonAscii(text) * 0.1)) return { text, charset: resolved }
  const charset = sniffEncoding(bytes, resolved)
  // Text declared in a double-byte encoding that fails is mislabelled CJK or carries binary junk; either way
  // windows-1252 would turn the good part into mojibake too.
  if (charset === resolved || (charset === 'windows-1252' && resolved in MULTIBYTE_FAMILIES)) return { text, charset: resolved }
  const fallback = decoderFor(charset)?.decode(bytes) ?? text
  if (countReplacementChars(fallback) > countReplacementChars(text)) return { text, charset: resolved }
  return { text: fallback, charset, fallbackReason: `declared "${describeLabel(label)}" did not decode; decoded as ${charset}` }
}

/** The encoding a Windows code page number names (TNEF attOemCodepage, PR_INTERNET_CPID). */
export function encodingForCodePage(codePage: number): string | undefined {
  if (codePage === 65001) return 'utf-8'
  if (codePage === 20127) return 'windows-1252'
  if (codePage === 54936) return 'gb18030'
  if (codePage === 20932) return 'euc-jp'
  return resolveCharsetLabel(`cp${codePage}`)
}
