import { gunzipSync } from 'node:zlib'
import { containsUtf16Name, DETECTED_TYPES, detectType } from './detect-type.ts'
import { inspectZipArchive, readZipEntry } from './zip-archive.ts'
import { listTarEntries } from './tar-archive.ts'

/** Why a file was quarantined; stable codes for the security team and the UI. */
export type QuarantineReason =
  | 'executable'
  | 'script'
  | 'dangerous_extension'
  | 'macro_enabled_office'
  | 'html_with_script'
  | 'archive_too_deep'
  | 'archive_too_large'
  | 'archive_ratio'
  | 'archive_encrypted'
  | 'archive_unreadable'
  | 'archive_not_inspectable'

export interface AttachmentAssessment {
  /** From the bytes, never from the name or the declared type. */
  detectedType: string
  verdict: 'ok' | 'quarantine'
  reason?: QuarantineReason
  /** For the security team: which member of an archive, when the reason was found inside one. */
  detail?: string
}

export interface ArchivePolicy {
  /** An archive inside an archive is common (a zipped folder of zips); deeper nesting only hides things. */
  maxArchiveDepth: number
  /** Everything an archive (and the archives inside it) would expand to, together. */
  maxExpandedBytes: number
  /** Uncompressed ÷ compressed, per entry and for the whole archive; bombs run into the thousands. */
  maxCompressionRatio: number
  maxArchiveEntries: number
}

export const DEFAULT_ARCHIVE_POLICY: ArchivePolicy = Object.freeze({
  maxArchiveDepth: 2,
  maxExpandedBytes: 200 * 1024 * 1024, // 200 MiB
  maxCompressionRatio: 100,
  maxArchiveEntries: 10_000,
})

/**
 * Extensions Windows, macOS or a desktop runs or installs when opened, whatever the bytes are: a text
 * file named `invoice.js` runs under Windows Script Host on a double click.
 */
const DANGEROUS_EXTENSIONS = new Set(
  (
    'exe com scr pif cpl msi msp mst msc dll sys drv ocx js jse vbs vbe wsf wsh ws wsc sct ps1 ps1xml psm1 psd1 bat cmd hta lnk ' +
    'jar jnlp reg inf scf url iso img vhd vhdx appx appxbundle msix msixbundle application gadget sh bash csh ksh command ' +
    'app dmg pkg apk chm hlp xll xlam ppam docm dotm xlsm xltm xlsb pptm potm ppsm sldm settingcontent-ms library-ms diagcab'
  ).split(' '),
)

export const ARCHIVE_EXTENSIONS = /\.(zip|rar|7z|gz|tgz|tar|jar|cab|arj|lzh|ace|bz2|xz|zst|z)$/i
export const HTML_EXTENSIONS = /\.(html?|xhtml|shtml|svgz?|mht|mhtml|xht)$/i

export const EXECUTABLE_TYPES: ReadonlySet<string> = new Set<string>([
  DETECTED_TYPES.pe,
  DETECTED_TYPES.elf,
  DETECTED_TYPES.machO,
  DETECTED_TYPES.javaClass,
  DETECTED_TYPES.jar,
  DETECTED_TYPES.msi,
  DETECTED_TYPES.lnk,
])
export const MACRO_TYPES: ReadonlySet<string> = new Set<string>([DETECTED_TYPES.docm, DETECTED_TYPES.xlsm, DETECTED_TYPES.pptm])
export const OLE_TYPES: ReadonlySet<string> = new Set<string>([DETECTED_TYPES.ole, DETECTED_TYPES.doc, DETECTED_TYPES.xls, DETECTED_TYPES.ppt])
const OOXML_TYPES = new Set<string>([DETECTED_TYPES.docx, DETECTED_TYPES.xlsx, DETECTED_TYPES.pptx, ...MACRO_TYPES])
/** Archives by their bytes (OOXML files are ZIPs too, but judged as documents). */
export const ARCHIVE_TYPES: ReadonlySet<string> = new Set<string>([
  DETECTED_TYPES.zip,
  DETECTED_TYPES.gzip,
  DETECTED_TYPES.tar,
  DETECTED_TYPES.rar,
  DETECTED_TYPES.sevenZip,
])

// Anything that runs code or navigates when an HTML or SVG file is opened in a browser.
const ACTIVE_HTML = /<script\b|<iframe\b|<object\b|<embed\b|<form\b[^>]*\baction\s*=|\bon[a-z]{3,}\s*=|javascript\s*:|vbscript\s*:|<meta\b[^>]*http-equiv\s*=\s*["']?refresh|<base\b|data\s*:\s*text\/html/i

function extensionOf(filename: string): string {
  const base = filename.replace(/[\s.]+$/, '') // "a.exe." and "a.exe " open as a.exe on Windows
  const dot = base.lastIndexOf('.')
  return dot >= 0 ? base.slice(dot + 1).toLowerCase() : ''
}

/** Whether Windows, macOS or a desktop would run or install a file of this name when it is opened. */
export function hasDangerousExtension(filename: string): boolean {
  return DANGEROUS_EXTENSIONS.has(extensionOf(filename))
}

interface Budget {
  remainingBytes: number
}

function quarantine(detectedType: string, reason: QuarantineReason, detail?: string): AttachmentAssessment {
  return detail === undefined ? { detectedType, verdict: 'quarantine', reason } : { detectedType, verdict: 'quarantine', reason, detail }
}

function inner(outerType: string, name: string, result: AttachmentAssessment): AttachmentAssessment {
  return quarantine(outerType, result.reason ?? 'archive_unreadable', result.detail ? `${name}/${result.detail}` : name)
}

function assessZip(type: string, bytes: Uint8Array, depth: number, policy: ArchivePolicy, budget: Budget): AttachmentAssessment {
  const archive = inspectZipArchive(bytes, policy.maxArchiveEntries)
  if (!archive.ok) {
    return quarantine(type, archive.reason === 'too_many_entries' || archive.reason === 'zip64' ? 'archive_too_large' : 'archive_unreadable')
  }
  const isOoxml = OOXML_TYPES.has(type)
  let total = 0
  for (const entry of archive.entries) {
    if (entry.isEncrypted) return quarantine(type, 'archive_encrypted', entry.name)
    total += entry.uncompressedBytes
    const ratio = entry.uncompressedBytes / Math.max(entry.compressedBytes, 1)
    if (entry.uncompressedBytes > 1024 * 1024 && ratio > policy.maxCompressionRatio) return quarantine(type, 'archive_ratio', entry.name)
  }
  if (total > budget.remainingBytes) return quarantine(type, 'archive_too_large')
  if (total > 1024 * 1024 && total / Math.max(bytes.length, 1) > policy.maxCompressionRatio) return quarantine(type, 'archive_ratio')
  if (isOoxml) return { detectedType: type, verdict: 'ok' } // its parts are XML; macros were judged by the flavour
  for (const entry of archive.entries) {
    if (entry.name.endsWith('/')) continue
    if (hasDangerousExtension(entry.name)) return quarantine(type, 'dangerous_extension', entry.name)
    const content = readZipEntry(bytes, entry, Math.min(entry.uncompressedBytes, budget.remainingBytes))
    if (!content) return quarantine(type, 'archive_unreadable', entry.name)
    budget.remainingBytes -= content.length
    const result = assessBytes(entry.name, content, depth + 1, policy, budget)
    if (result.verdict === 'quarantine') return inner(type, entry.name, result)
  }
  return { detectedType: type, verdict: 'ok' }
}

function assessGzip(filename: string, bytes: Uint8Array, depth: number, policy: ArchivePolicy, budget: Budget): AttachmentAssessment {
  const type = DETECTED_TYPES.gzip
  let content: Buffer
  try {
    // The trailer's ISIZE is the length mod 2^32 and lies easily; a bounded inflate does not.
    content = gunzipSync(bytes, { maxOutputLength: Math.max(1, Math.min(budget.remainingBytes, bytes.length * policy.maxCompressionRatio)) })
  } catch (err) {
    return quarantine(type, err instanceof RangeError ? 'archive_ratio' : 'archive_unreadable')
  }
  budget.remainingBytes -= content.length
  const innerName = filename.replace(/\.t?gz$/i, (m) => (m.toLowerCase() === '.tgz' ? '.tar' : '')) || 'content'
  const result = assessBytes(innerName, content, depth + 1, policy, budget)
  return result.verdict === 'quarantine' ? inner(type, innerName, result) : { detectedType: type, verdict: 'ok' }
}

function assessTar(bytes: Uint8Array, depth: number, policy: ArchivePolicy, budget: Budget): AttachmentAssessment {
  const type = DETECTED_TYPES.tar
  const entries = listTarEntries(bytes, policy.maxArchiveEntries)
  if (!entries) return quarantine(type, 'archive_unreadable')
  for (const entry of entries) {
    if (hasDangerousExtension(entry.name)) return quarantine(type, 'dangerous_extension', entry.name)
    const result = assessBytes(entry.name, entry.content, depth + 1, policy, budget)
    if (result.verdict === 'quarantine') return inner(type, entry.name, result)
  }
  return { detectedType: type, verdict: 'ok' }
}

function assessBytes(filename: string, bytes: Uint8Array, depth: number, policy: ArchivePolicy, budget: Budget): AttachmentAssessment {
  const type = detectType(bytes)
  if (EXECUTABLE_TYPES.has(type)) return quarantine(type, 'executable')
  if (type === DETECTED_TYPES.script) return quarantine(type, 'script')
  if (MACRO_TYPES.has(type)) return quarantine(type, 'macro_enabled_office')
  if (OLE_TYPES.has(type) && (containsUtf16Name(bytes, '_VBA_PROJECT') || containsUtf16Name(bytes, 'Macros'))) {
    return quarantine(type, 'macro_enabled_office')
  }
  if (hasDangerousExtension(filename)) return quarantine(type, 'dangerous_extension')
  const isMarkup = type === DETECTED_TYPES.html || type === DETECTED_TYPES.svg || HTML_EXTENSIONS.test(filename)
  if (isMarkup && ACTIVE_HTML.test(Buffer.from(bytes).toString('utf8'))) return quarantine(type, 'html_with_script')
  if (ARCHIVE_TYPES.has(type) && depth >= policy.maxArchiveDepth) return quarantine(type, 'archive_too_deep')
  if (type === DETECTED_TYPES.rar || type === DETECTED_TYPES.sevenZip) return quarantine(type, 'archive_not_inspectable')
  if (type === DETECTED_TYPES.zip || OOXML_TYPES.has(type)) return assessZip(type, bytes, depth, policy, budget)
  // A PDF with a ZIP appended is both: PDF readers read from the front, ZIP tools from the back.
  if (type === DETECTED_TYPES.pdf && inspectZipArchive(bytes).ok) return assessZip(type, bytes, depth, policy, budget)
  if (type === DETECTED_TYPES.gzip) return assessGzip(filename, bytes, depth, policy, budget)
  if (type === DETECTED_TYPES.tar) return assessTar(bytes, depth, policy, budget)
  if (type === DETECTED_TYPES.binary && ARCHIVE_EXTENSIONS.test(filename)) return quarantine(type, 'archive_not_inspectable')
  return { detectedType: type, verdict: 'ok' }
}

export interface AttachmentInput {
  filename: string
  /** What the sender's Content-Type said; recorded by callers, never trusted for the verdict. */
  declaredType: string
  bytes: Uint8Array
}

/**
 * Decides whether an attachment may be shown to agents or must be quarantined for the security team:
 * type from the bytes; executables, scripts, macro-enabled Office files, active HTML/SVG, and archives
 * that nest too deep, expand too far or cannot be inspected are quarantined.
 */
export function assessAttachment(input: AttachmentInput, policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY): AttachmentAssessment {
  return assessBytes(input.filename, input.bytes, 0, policy, { remainingBytes: policy.maxExpandedBytes })
}
