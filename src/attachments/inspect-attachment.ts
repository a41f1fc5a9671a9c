import { assessAttachment, DEFAULT_ARCHIVE_POLICY, type ArchivePolicy, type AttachmentInput, type QuarantineReason } from './assess-attachment.ts'
import type { AttachmentVerdict } from './attachment-verdict.table.ts'
import type { ClamdScanner, ScanResult } from './clamd-scanner.ts'

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

/** Whether agents may open the file as it was sent (quarantined and unscanned files are withheld). */
export function isServableToAgents(verdict: AttachmentVerdict): boolean {
  return verdict === 'ok'
}
