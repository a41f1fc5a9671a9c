import type { Finding } from './finding.ts'
import { redactHtml } from './redact-html.ts'
import { redactSensitiveData } from './redact-sensitive-data.ts'

/** Content types redacted as plain text (txt, csv, tsv, markdown). */
const PLAIN_TYPES = new Set(['text/plain', 'text/csv', 'application/csv', 'text/tab-separated-values', 'text/markdown'])
/** Content types redacted as HTML. */
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml'])

function parseContentType(contentType: string): { mediaType: string; charset: string } {
  const [mediaType = '', ...params] = contentType.split(';')
  let charset = 'utf-8'
  for (const param of params) {
    const [key = '', value = ''] = param.split('=')
    if (key.trim().toLowerCase() === 'charset' && value.trim() !== '') charset = value.trim().replace(/^"|"$/g, '').toLowerCase()
  }
  return { mediaType: mediaType.trim().toLowerCase(), charset }
}

/** Decodes with the declared charset (GBK, GB18030, Big5… are common in Chinese mail); unknown labels fall back to UTF-8. */
function decode(bytes: Uint8Array, charset: string): string {
  let decoder: TextDecoder
  try {
    decoder = new TextDecoder(charset)
  } catch {
    decoder = new TextDecoder('utf-8')
  }
  return decoder.decode(bytes)
}

/**
 * Redacts a text-like attachment (txt, csv, tsv, markdown, html) decoded with its declared charset; returns
 * `undefined` for any other content type. The returned bytes are always UTF-8 (store them with
 * `charset=utf-8`); findings carry offsets into the decoded text, not into the bytes.
 */
export function redactTextAttachment(contentType: string, bytes: Uint8Array): { bytes: Uint8Array; findings: Finding[] } | undefined {
  const { mediaType, charset } = parseContentType(contentType)
  if (HTML_TYPES.has(mediaType)) {
    const { html, findings } = redactHtml(decode(bytes, charset))
    return { bytes: new TextEncoder().encode(html), findings }
  }
  if (PLAIN_TYPES.has(mediaType)) {
    const { text, findings } = redactSensitiveData(decode(bytes, charset))
    return { bytes: new TextEncoder().encode(text), findings }
  }
  return undefined
}
