import { DETECTED_TYPES, detectType, type DetectedType } from '../../attachments/detect-type.ts'

/** What customers may upload from the public pages: screenshots, PDFs and plain text. */
const ACCEPTED: ReadonlySet<DetectedType> = new Set([
  DETECTED_TYPES.png,
  DETECTED_TYPES.jpeg,
  DETECTED_TYPES.gif,
  DETECTED_TYPES.webp,
  DETECTED_TYPES.pdf,
  DETECTED_TYPES.text,
])

/** Types that can run code or hide it; refused with a message that says why, not just "wrong type". */
const DANGEROUS: ReadonlySet<DetectedType> = new Set([
  DETECTED_TYPES.pe,
  DETECTED_TYPES.elf,
  DETECTED_TYPES.machO,
  DETECTED_TYPES.javaClass,
  DETECTED_TYPES.jar,
  DETECTED_TYPES.msi,
  DETECTED_TYPES.lnk,
  DETECTED_TYPES.script,
  DETECTED_TYPES.html,
  DETECTED_TYPES.svg,
  DETECTED_TYPES.zip,
  DETECTED_TYPES.rar,
  DETECTED_TYPES.sevenZip,
  DETECTED_TYPES.gzip,
  DETECTED_TYPES.tar,
  DETECTED_TYPES.docm,
  DETECTED_TYPES.xlsm,
  DETECTED_TYPES.pptm,
  DETECTED_TYPES.doc,
  DETECTED_TYPES.xls,
  DETECTED_TYPES.ppt,
  DETECTED_TYPES.ole,
])

// A text file is still refused when its name says Windows or a browser would run it on a double-click
// (a .bat, .js or .hta is plain text to a byte sniffer).
const DANGEROUS_EXTENSION =
  /\.(exe|com|scr|pif|bat|cmd|ps1|psm1|vbs|vbe|js|jse|mjs|wsf|wsh|hta|msi|msp|lnk|reg|jar|sh|py|pl|rb|php|html?|xhtml|svg|zip|rar|7z|gz|tgz|tar|iso|img|docm|xlsm|pptm|dotm|xltm|xlam|ppam|apk|dmg|app)$/i

export type UploadVerdict =
  | { ok: true; contentType: DetectedType }
  | { ok: false; reason: 'empty' | 'dangerous' | 'type' }

/** Decides from the bytes (magic numbers) and the name whether a public upload is accepted. */
export function checkUpload(filename: string, bytes: Uint8Array): UploadVerdict {
  if (bytes.length === 0) return { ok: false, reason: 'empty' }
  const type = detectType(bytes)
  if (DANGEROUS.has(type) || DANGEROUS_EXTENSION.test(filename.trim())) return { ok: false, reason: 'dangerous' }
  if (!ACCEPTED.has(type)) return { ok: false, reason: 'type' }
  return { ok: true, contentType: type }
}

/** A file name safe to put in a MIME header and show on a page: no path, no control characters, bounded. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 120)
  return cleaned || 'attachment'
}
