/**
 * Charset labels as mail clients really write them, and a fallback for text whose label is wrong.
 *
 * postal-mime hands every label to TextDecoder and silently falls back to windows-1252 for anything it does
 * not know, which turns GBK or Big5 text into Latin mojibake with nothing to signal it. Here the label goes
 * through a deliberate alias table first; when it is still unknown, says nothing (us-ascii, unknown-8bit), or
 * the declared decoder produces U+FFFD, the bytes are tried as strict UTF-8, then GB18030 (a superset of
 * GBK and GB2312), Big5 and windows-1252, and the most plausible reading wins.
 */

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

/** WHATWG single-byte Latin labels; their text is sniffed only when it is plainly something else. */
const LATIN_ENCODINGS = new Set(['windows-1252', 'iso-8859-15', 'iso-8859-2', 'windows-1250'])

const decoderCache = new Map<string, TextDecoder | null>()
const fatalDecoderCache = new Map<string, TextDecoder | null>()

function decoderFor(encoding: string, fatal = false): TextDecoder | null {
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
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] ?? 0) >= 0x80) return true
  return false
}

/** Whether the bytes are well-formed UTF-8 (any ASCII text is). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const decoder = decoderFor('utf-8', true)
  if (!decoder) return false
  try {
    decoder.decode(bytes)
    return true
  } catch {
    return false
  }
}

function countReplacementChars(text: string): number {
  let count = 0
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) count++
  return count
}

// Characters a reader of Chinese meets all the time: GB2312 level 1 and Big5 level 1. A wrong CJK decoder
// produces rare ideographs, kana, private-use or box-drawing characters instead, so counting common ones
// separates GB18030 from Big5 readings of the same bytes.
let commonHan: Uint8Array | undefined
function commonHanTable(): Uint8Array {
  if (commonHan) return commonHan
  const table = new Uint8Array(0x10000)
  const pairs: number[] = []
  for (let lead = 0xb0; lead <= 0xd7; lead++) for (let trail = 0xa1; trail <= 0xfe; trail++) pairs.push(lead, trail)
  const gbText = decoderFor('gb18030')?.decode(Uint8Array.from(pairs)) ?? ''
  pairs.length = 0
  for (let lead = 0xa4; lead <= 0xc6; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) if (trail <= 0x7e || trail >= 0xa1) pairs.push(lead, trail)
  }
  const big5Text = decoderFor('big5')?.decode(Uint8Array.from(pairs)) ?? ''
  for (const text of [gbText, big5Text]) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i)
      if (code >= 0x4e00 && code <= 0x9fff) table[code] = 1
    }
  }
  commonHan = table
  return table
}

/** How much a decoded text looks like something a person wrote; only non-ASCII characters count. */
function plausibility(text: string): number {
  const common = commonHanTable()
  let score = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    if (c === 0xfffd) score -= 10
    else if (c >= 0x4e00 && c <= 0x9fff) score += common[c] === 1 ? 2 : 0
    else if (c >= 0x3000 && c <= 0x303f) score += 1.5 // CJK punctuation
    else if (c >= 0xff01 && c <= 0xff5e) score += 1 // full-width ASCII
    else if (c >= 0x3040 && c <= 0x30ff) score += 1 // kana
    else if (c >= 0xac00 && c <= 0xd7a3) score += 2 // Hangul syllables
    else if ((c >= 0xc0 && c <= 0xff && c !== 0xd7 && c !== 0xf7) || (c >= 0x100 && c <= 0x17f)) score += 0.5 // Latin letters
    else if (c >= 0x2010 && c <= 0x2027) score += 0.5 // dashes, quotes, ellipsis
    else if (c < 0xa0) score -= 3 // C1 controls
    else if ((c >= 0xe000 && c <= 0xf8ff) || (c >= 0xd800 && c <= 0xdfff)) score -= 3 // private use, GB18030 4-byte junk
  }
  return score
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
  const candidates = [declared, 'gb18030', 'big5', 'windows-1252']
  let best = 'windows-1252'
  let bestScore = -Infinity
  for (const candidate of candidates) {
    if (!candidate || candidate === UTF7 || candidate === SNIFF) continue
    const decoder = decoderFor(candidate)
    if (!decoder) continue
    // The declared label wins ties: it was somebody's statement about the bytes.
    const score = plausibility(decoder.decode(sample)) + (candidate === declared ? 1 : 0)
    if (score > bestScore) {
      best = candidate
      bestScore = score
    }
  }
  return best
}

/** Whether 8-bit bytes come in runs, as in double-byte CJK text, rather than alone between ASCII letters. */
function looksDoubleByte(bytes: Uint8Array): boolean {
  let high = 0
  let paired = 0
  const end = Math.min(bytes.length, SNIFF_SAMPLE_BYTES)
  for (let i = 0; i < end; i++) {
    if ((bytes[i] ?? 0) < 0x80) continue
    high++
    if ((bytes[i - 1] ?? 0) >= 0x80 || (bytes[i + 1] ?? 0) >= 0x80) paired++
  }
  return high >= 8 && paired >= high * 0.9
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
    // UTF-8 is almost never Latin-1 text by accident, and CJK double-byte text has no lone 8-bit bytes.
    if (!hasHighBytes(bytes)) return { text, charset: resolved }
    if (isValidUtf8(bytes)) {
      return { text: decoderFor('utf-8')?.decode(bytes) ?? text, charset: 'utf-8', fallbackReason: `declared "${describeLabel(label)}" but the bytes are UTF-8` }
    }
    if (looksDoubleByte(bytes)) {
      const charset = sniffEncoding(bytes, resolved)
      if (charset !== resolved) {
        return { text: decoderFor(charset)?.decode(bytes) ?? text, charset, fallbackReason: `declared "${describeLabel(label)}"; decoded as ${charset}` }
      }
    }
    return { text, charset: resolved }
  }

  if (text.indexOf('\uFFFD') < 0) return { text, charset: resolved }
  // The declared decoder failed on some bytes; a literal U+FFFD in valid UTF-8 is not a failure.
  if (resolved === 'utf-8' && isValidUtf8(bytes)) return { text, charset: resolved }
  const charset = sniffEncoding(bytes, resolved)
  if (charset === resolved) return { text, charset }
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
