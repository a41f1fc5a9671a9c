import type { Logger } from '../logger.ts'
import type { Db } from '../store/database.ts'
import { findAttachmentsDueForScan, recordAttachmentInspection } from './attachment-verdict.repository.ts'
import type { ClamdScanner } from './clamd-scanner.ts'

export interface RetryScanDeps {
  db: Db
  scanner: ClamdScanner
  /** The stored bytes of an attachment by digest (AttachmentStore), or undefined when purged. */
  readBytes: (sha256: string) => Promise<Uint8Array | undefined>
  log: Logger
  now: Date
  /** Delay before try n+1 doubles from this, up to an hour. */
  retryDelayMs?: number
  limit?: number
}

export interface RetryScanSummary {
  clean: number
  infected: number
  stillPending: number
}

/**
 * Scans again the attachments whose earlier scan failed (clamd down, timeout): clean ones become ok,
 * infected ones are quarantined, and failures wait longer before the next try.
 */
export async function retryPendingScans(deps: RetryScanDeps): Promise<RetryScanSummary> {
  const summary: RetryScanSummary = { clean: 0, infected: 0, stillPending: 0 }
  const baseDelayMs = deps.retryDelayMs ?? 60_000 // 1 min
  for (const row of await findAttachmentsDueForScan(deps.db, deps.now, deps.limit ?? 100)) {
    const bytes = await deps.readBytes(row.sha256)
    const attempts = row.scan_attempts + 1
    const scan = bytes ? await deps.scanner.scan(bytes) : { status: 'error' as const, error: 'attachment bytes are no longer stored' }
    const inspection =
      scan.status === 'clean'
        ? { detectedType: row.detected_type, verdict: 'ok' as const, scan }
        : scan.status === 'infected'
          ? { detectedType: row.detected_type, verdict: 'quarantine' as const, reason: 'infected' as const, scan }
          : { detectedType: row.detected_type, verdict: 'scan_pending' as const, scan }
    const retryDelayMs = Math.min(60 * 60_000, baseDelayMs * 2 ** Math.min(attempts - 1, 20))
    await recordAttachmentInspection(deps.db, row.sha256, inspection, { now: deps.now, retryDelayMs, attempts })
    if (scan.status === 'clean') summary.clean++
    else if (scan.status === 'infected') summary.infected++
    else summary.stillPending++
  }
  if (summary.stillPending > 0) deps.log.warn({ ...summary }, 'attachment scans still failing; will retry')
  else if (summary.clean + summary.infected > 0) deps.log.info({ ...summary }, 'pending attachment scans completed')
  return summary
}
