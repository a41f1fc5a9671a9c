import { DETECTED_TYPES } from './detect-type.ts'

/** Shown in the browser: raster formats only, which carry no script (SVG does, so it is not here). */
const INLINE_IMAGE_TYPES = new Set<string>([DETECTED_TYPES.png, DETECTED_TYPES.jpeg, DETECTED_TYPES.gif, DETECTED_TYPES.webp])

/** True for the raster image types a browser may show (what a mail's embedded cid: images may be served as). */
export function isInlineImageType(detectedType: string): boolean {
  return INLINE_IMAGE_TYPES.has(detectedType)
}

/** Downloaded with their real type so the desktop opens the right program; anything else is octet-stream. */
const DOWNLOAD_TYPES = new Set<string>([
  DETECTED_TYPES.pdf,
  DETECTED_TYPES.docx,
  DETECTED_TYPES.xlsx,
  DETECTED_TYPES.pptx,
  DETECTED_TYPES.doc,
  DETECTED_TYPES.xls,
  DETECTED_TYPES.ppt,
  DETECTED_TYPES.zip,
  DETECTED_TYPES.text,
])

/** RFC 5987 ext-value: UTF-8, percent-encoding everything outside attr-char. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function cleanFilename(filename: string): string {
  // Path parts, control characters and line breaks never reach a header or a file system.
  const base = filename.split(/[\\/]/).pop() ?? ''
  // Cut by code points: half an emoji (a lone surrogate) makes encodeURIComponent throw.
  const clean = Array.from(base.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '').trim()).slice(0, 200).join('')
  return clean === '' || clean === '.' || clean === '..' ? 'attachment' : clean
}

/**
 * Response headers for serving a stored attachment to an agent: the type comes from the bytes, the
 * browser must not sniff another, nothing in the response may run, and only raster images are shown
 * inline. The filename is given twice, as an ASCII fallback and as RFC 5987 UTF-8 (`filename*`).
 */
export function safeDownloadHeaders(detectedType: string, filename: string): Record<string, string> {
  const isInline = INLINE_IMAGE_TYPES.has(detectedType)
  const name = cleanFilename(filename)
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_')
  const contentType = isInline || DOWNLOAD_TYPES.has(detectedType) ? detectedType : 'application/octet-stream'
  return {
    'Content-Type': contentType === DETECTED_TYPES.text ? 'text/plain; charset=utf-8' : contentType,
    'Content-Disposition': `${isInline ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'private, no-store',
  }
}
