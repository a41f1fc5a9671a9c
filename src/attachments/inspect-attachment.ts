import { assessAttachment, DEFAULT_ARCHIVE_POLICY, HTML_EXTENSIONS, type ArchivePolicy, type AttachmentInput, type QuarantineReason } from './assess-attachment.ts'
import type { AttachmentVerdict } from './attachment-verdict.table.ts'
import type { ClamdScanner, ScanResult } from './clamd-scanner.ts'
import { DETECTED_TYPES, detectType } from './detect-type.ts'
import type { AttachmentStore } from '../tickets/attachment-store.ts'

export interface AttachmentInspection {
  detectedType: string
  verdict: AttachmentVerdict
  reason?: QuarantineReason | 'infected'
  detail?: string
  /** Undefined when no scanner is configured or the file was quarantined before scanning. */
  scan?: ScanResult
}

/**
 * The whole safety check of one attachment: the type and policy verdict from its bytes, then (when a
 * scanner is configured and the policy let it through) a clamd scan. An infected file is quarantined;
 * a scan that failed leaves it scan_pending, to be retried, never treated as clean.
 */
export async function inspectAttachment(
  input: AttachmentInput,
  scanner: ClamdScanner | undefined,
  policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY,
): Promise<AttachmentInspection> {
  const assessment = assessAttachment(input, policy)
  if (assessment.verdict === 'quarantine') return { ...assessment, verdict: 'quarantine' }
  if (!scanner) return { detectedType: assessment.detectedType, verdict: 'ok' }
  const scan = await scanner.scan(input.bytes)
  if (scan.status === 'infected') return { detectedType: assessment.detectedType, verdict: 'quarantine', reason: 'infected', scan }
  if (scan.status === 'error') return { detectedType: assessment.detectedType, verdict: 'scan_pending', scan }
  return { detectedType: assessment.detectedType, verdict: 'ok', scan }
}

/** Bytes from the start of a stored file that type detection reads (it samples at most the first 8 KiB). */
const HEAD_BYTES = 64 * 1024
/**
 * Types whose whole verdict follows from the first bytes: assessAttachment looks no further than detection for them
 * (magic numbers, the 8 KiB text sample), the file name, and the type itself. Archives (ZIP and Office, OLE, gzip,
 * tar), PDFs (a ZIP may be appended), HTML and SVG need every byte.
 */
const DECIDED_BY_HEAD = new Set<string>([
  DETECTED_TYPES.png, DETECTED_TYPES.jpeg, DETECTED_TYPES.gif, DETECTED_TYPES.webp, DETECTED_TYPES.binary, DETECTED_TYPES.text,
  DETECTED_TYPES.script, DETECTED_TYPES.elf, DETECTED_TYPES.pe, DETECTED_TYPES.machO, DETECTED_TYPES.javaClass, DETECTED_TYPES.lnk,
  DETECTED_TYPES.rar, DETECTED_TYPES.sevenZip,
])

/**
 * inspectAttachment for an attachment already in the store (a large part lifted from a spooled message): the same
 * verdict, read from the first 64 KiB when the type allows it (a 25 MB photo or binary is never read whole), and
 * from the whole file for archives, PDFs, markup, and when a scanner is configured (clamd gets every byte).
 */
export async function inspectStoredAttachment(
  input: { filename: string; declaredType: string; sha256: string; sizeBytes: number },
  store: AttachmentStore,
  scanner: ClamdScanner | undefined,
  policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY,
): Promise<AttachmentInspection> {
  const head = await store.readHead(input.sha256, HEAD_BYTES)
  const whole = head.length >= input.sizeBytes || scanner !== undefined || HTML_EXTENSIONS.test(input.filename) || !DECIDED_BY_HEAD.has(detectType(head))
  const bytes = whole && head.length < input.sizeBytes ? await store.readHead(input.sha256, input.sizeBytes) : head
  return inspectAttachment({ filename: input.filename, declaredType: input.declaredType, bytes }, scanner, policy)
}

/** Whether agents may open the file as it was sent (quarantined and unscanned files are withheld). */
export function isServableToAgents(verdict: AttachmentVerdict): boolean {
  return verdict === 'ok'
}
