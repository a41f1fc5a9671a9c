import { isTarArchive } from './tar-archive.ts'
import { inspectZipArchive, type ZipEntry } from './zip-archive.ts'

/**
 * The content type of a file from its first bytes (its "magic"), never from its name or the type the
 * sender declared: a sender chooses both, and `invoice.pdf` that starts with `MZ` is a Windows program.
 */
export const DETECTED_TYPES = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  zip: 'application/zip',
  jar: 'application/java-archive',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  docm: 'application/vnd.ms-word.document.macroEnabled.12',
  xlsm: 'application/vnd.ms-excel.sheet.macroEnabled.12',
  pptm: 'application/vnd.ms-powerpoint.presentation.macroEnabled.12',
  ole: 'application/x-ole-storage',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  msi: 'application/x-msi',
  outlookMessage: 'application/vnd.ms-outlook',
  rar: 'application/vnd.rar',
  sevenZip: 'application/x-7z-compressed',
  gzip: 'application/gzip',
  tar: 'application/x-tar',
  elf: 'application/x-elf',
  pe: 'application/vnd.microsoft.portable-executable',
  machO: 'application/x-mach-binary',
  javaClass: 'application/java-vm',
  lnk: 'application/x-ms-shortcut',
  script: 'text/x-script',
  html: 'text/html',
  svg: 'image/svg+xml',
  text: 'text/plain',
  binary: 'application/octet-stream',
} as const

export type DetectedType = (typeof DETECTED_TYPES)[keyof typeof DETECTED_TYPES]

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false
  return signature.every((b, i) => bytes[offset + i] === b)
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.subarray(start, Math.min(end, bytes.length))).toString('latin1')
}

/** Whether the UTF-16LE form of `name` occurs in the bytes: OLE directory entries store names that way. */
export function containsUtf16Name(bytes: Uint8Array, name: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from(name, 'utf16le'))
}

const MSI_CLSID = Buffer.from([0x84, 0x10, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46])

function oleType(bytes: Uint8Array): DetectedType {
  if (containsUtf16Name(bytes, 'WordDocument')) return DETECTED_TYPES.doc
  if (containsUtf16Name(bytes, 'Workbook') || containsUtf16Name(bytes, 'Book')) return DETECTED_TYPES.xls
  if (containsUtf16Name(bytes, 'PowerPoint Document')) return DETECTED_TYPES.ppt
  if (containsUtf16Name(bytes, '__substg1.0_')) return DETECTED_TYPES.outlookMessage
  // Windows Installer databases name their streams in a packed encoding, but the root entry carries
  // the installer's class id {000C1084-0000-0000-C000-000000000046}.
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(MSI_CLSID)) return DETECTED_TYPES.msi
  return DETECTED_TYPES.ole
}

/** The OOXML flavour of a ZIP, from the part names its central directory lists. */
export function zipFlavour(entries: readonly ZipEntry[]): DetectedType {
  const names = new Set(entries.map((e) => e.name))
  const hasMacros = entries.some((e) => /(^|\/)vbaProject\.bin$/i.test(e.name))
  if (names.has('[Content_Types].xml')) {
    const under = (prefix: string) => entries.some((e) => e.name.startsWith(prefix))
    if (under('word/')) return hasMacros ? DETECTED_TYPES.docm : DETECTED_TYPES.docx
    if (under('xl/')) return hasMacros ? DETECTED_TYPES.xlsm : DETECTED_TYPES.xlsx
    if (under('ppt/')) return hasMacros ? DETECTED_TYPES.pptm : DETECTED_TYPES.pptx
  }
  if (names.has('META-INF/MANIFEST.MF') || entries.some((e) => e.name.endsWith('.class'))) return DETECTED_TYPES.jar
  return DETECTED_TYPES.zip
}

const HTML_START = /^(?:\s|<!--[\s\S]*?-->)*<(?:!doctype\s+html|html|head|body|script|iframe|meta|title|div|form|a\s|table|p>|style)/i
const SVG_START = /^(?:\s|<\?xml[^>]*>|<!--[\s\S]*?-->|<!doctype\s+svg[^>]*>)*<svg[\s>]/i

function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8192)
  if (sample.includes(0)) return false
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.length < bytes.length ? sample.subarray(0, sample.length - 4) : sample)
    return true
  } catch {
    // Legacy Chinese encodings (GBK, Big5) are text too: mostly printable, no control characters.
    let control = 0
    for (const b of sample) if (b < 0x09 || (b > 0x0d && b < 0x20)) control++
    return control === 0
  }
}

/** Detects the type of `bytes` from their content. */
export function detectType(bytes: Uint8Array): DetectedType {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return DETECTED_TYPES.png
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return DETECTED_TYPES.jpeg
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return DETECTED_TYPES.gif
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return DETECTED_TYPES.webp
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    const archive = inspectZipArchive(bytes)
    return archive.ok ? zipFlavour(archive.entries) : DETECTED_TYPES.zip
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return oleType(bytes)
  if (ascii(bytes, 0, 6) === 'Rar!\x1a\x07') return DETECTED_TYPES.rar
  if (startsWith(bytes, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return DETECTED_TYPES.sevenZip
  if (startsWith(bytes, [0x1f, 0x8b])) return DETECTED_TYPES.gzip
  if (startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return DETECTED_TYPES.elf
  if (ascii(bytes, 0, 2) === 'MZ') return DETECTED_TYPES.pe
  if ([[0xfe, 0xed, 0xfa, 0xce], [0xfe, 0xed, 0xfa, 0xcf], [0xce, 0xfa, 0xed, 0xfe], [0xcf, 0xfa, 0xed, 0xfe]].some((s) => startsWith(bytes, s))) {
    return DETECTED_TYPES.machO
  }
  if (startsWith(bytes, [0xca, 0xfe, 0xba, 0xbe]) && bytes.length >= 8) {
    // Shared by Mach-O universal binaries and Java classes: a universal binary holds a handful of
    // architectures, a class file's next word is its version (45 and up).
    const word = ((bytes[4] ?? 0) << 24) | ((bytes[5] ?? 0) << 16) | ((bytes[6] ?? 0) << 8) | (bytes[7] ?? 0)
    return word > 0 && word < 30 ? DETECTED_TYPES.machO : DETECTED_TYPES.javaClass
  }
  if (startsWith(bytes, [0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00])) return DETECTED_TYPES.lnk
  if (isTarArchive(bytes)) return DETECTED_TYPES.tar
  // Readers accept "%PDF-" anywhere in the first kilobyte, so a detector must too, but only after the
  // magics that must sit at offset 0: a ZIP whose first member is a stored PDF is still a ZIP.
  if (ascii(bytes, 0, 1024).includes('%PDF-')) return DETECTED_TYPES.pdf
  const withoutBom = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? bytes.subarray(3) : bytes
  if (ascii(withoutBom, 0, 2) === '#!') return DETECTED_TYPES.script
  if (!looksLikeText(withoutBom)) return DETECTED_TYPES.binary
  const head = Buffer.from(withoutBom.subarray(0, 4096)).toString('utf8')
  if (SVG_START.test(head)) return DETECTED_TYPES.svg
  if (HTML_START.test(head)) return DETECTED_TYPES.html
  return DETECTED_TYPES.text
}
