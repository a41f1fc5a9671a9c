import {
  ARCHIVE_EXTENSIONS,
  ARCHIVE_TYPES,
  EXECUTABLE_TYPES,
  HTML_EXTENSIONS,
  hasDangerousExtension,
  MACRO_TYPES,
  OLE_TYPES,
} from '../../attachments/assess-attachment.ts'
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

/**
 * Types that can run code or hide it, as the attachment policy judges them; refused with a message that says why,
 * not just "wrong type". Archives and every OLE file are refused here too: customers have no reason to upload them.
 */
const DANGEROUS: ReadonlySet<string> = new Set([
  ...EXECUTABLE_TYPES,
  ...MACRO_TYPES,
  ...OLE_TYPES,
  ...ARCHIVE_TYPES,
  DETECTED_TYPES.script,
  DETECTED_TYPES.html,
  DETECTED_TYPES.svg,
])

// A text file is still refused when its name says Windows or a browser would run it on a double-click
// (a .bat, .js or .hta is plain text to a byte sniffer), or names an archive, a page or a server-side script.
function hasRefusedName(filename: string): boolean {
  const name = filename.replace(/[\s.]+$/, '') // "run.bat." opens as run.bat on Windows
  return hasDangerousExtension(name) || HTML_EXTENSIONS.test(name) || ARCHIVE_EXTENSIONS.test(name) || /\.(mjs|py|pl|rb|php)$/i.test(name)
}

export type UploadVerdict =
  | { ok: true; contentType: DetectedType }
  | { ok: false; reason: 'empty' | 'dangerous' | 'type' }

/** Decides from the bytes (magic numbers) and the name whether a public upload is accepted. */
export function checkUpload(filename: string, bytes: Uint8Array): UploadVerdict {
  if (bytes.length === 0) return { ok: false, reason: 'empty' }
  const type = detectType(bytes)
  if (DANGEROUS.has(type) || hasRefusedName(filename)) return { ok: false, reason: 'dangerous' }
  if (!ACCEPTED.has(type)) return { ok: false, reason: 'type' }
  return { ok: true, contentType: type }
}

/** A file name safe to put in a MIME header and show on a page: no path, no control characters, bounded. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  const cleaned = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 120)
  return cleaned || 'attachment'
}
