import type { Db } from '../store/database.ts'
import type { AttachmentInspection } from './inspect-attachment.ts'
import type { AttachmentVerdictRow } from './attachment-verdict.table.ts'

export async function findAttachmentVerdict(db: Db, sha256: string): Promise<AttachmentVerdictRow | undefined> {
  return db.selectFrom('attachment_verdicts').where('sha256', '=', sha256).selectAll().executeTakeFirst()
}

/** The verdicts of several files at once, by digest (a ticket's attachments). */
export async function findAttachmentVerdicts(db: Db, sha256s: string[]): Promise<Map<string, AttachmentVerdictRow>> {
  if (sha256s.length === 0) return new Map()
  const rows = await db.selectFrom('attachment_verdicts').where('sha256', 'in', [...new Set(sha256s)]).selectAll().execute()
  return new Map(rows.map((r) => [r.sha256, r]))
}

/**
 * Records an inspection under the content digest (replacing an earlier one). A scan_pending file is due
 * for a retry after `retryDelayMs`.
 */
export async function recordAttachmentInspection(
  db: Db,
  sha256: string,
  inspection: AttachmentInspection,
  opts: { now: Date; retryDelayMs: number; attempts?: number },
): Promise<void> {
  const at = opts.now.toISOString()
  const scanAttempts = opts.attempts ?? (inspection.scan ? 1 : 0)
  const values = {
    detected_type: inspection.detectedType,
    verdict: inspection.verdict,
    reason: inspection.reason ?? null,
    detail: inspection.detail ?? null,
    scan_status: inspection.scan?.status ?? 'not_scanned',
    scan_signature: inspection.scan?.signature ?? null,
    scan_error: inspection.scan?.error?.slice(0, 500) ?? null,
    scan_attempts: scanAttempts,
    next_scan_at: inspection.verdict === 'scan_pending' ? new Date(opts.now.getTime() + opts.retryDelayMs).toISOString() : null,
    updated_at: at,
  } as const
  await db
    .insertInto('attachment_verdicts')
    .values({ sha256, created_at: at, ...values })
    .onConflict((oc) => oc.column('sha256').doUpdateSet(values))
    .execute()
}

/** Files whose scan failed and is due again, oldest due first. */
export async function findAttachmentsDueForScan(db: Db, now: Date, limit: number): Promise<AttachmentVerdictRow[]> {
  return db
    .selectFrom('attachment_verdicts')
    .where('verdict', '=', 'scan_pending')
    .where('next_scan_at', '<=', now.toISOString())
    .orderBy('next_scan_at')
    .limit(limit)
    .selectAll()
    .execute()
}
