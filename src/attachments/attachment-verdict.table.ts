import type { Insertable, Selectable } from 'kysely'

/** ok: may be shown to agents; quarantine: kept for the security team only; scan_pending: held until a scan succeeds. */
export type AttachmentVerdict = 'ok' | 'quarantine' | 'scan_pending'
/** not_scanned: no clamd configured, or quarantined before scanning. */
export type AttachmentScanStatus = 'clean' | 'infected' | 'error' | 'not_scanned'

export interface AttachmentVerdictTable {
  /** The content digest the bytes are stored under. */
  sha256: string
  detected_type: string
  verdict: AttachmentVerdict
  /** A QuarantineReason, or "infected". */
  reason: string | null
  /** Which archive member the reason was found in. */
  detail: string | null
  scan_status: AttachmentScanStatus
  scan_signature: string | null
  scan_error: string | null
  scan_attempts: number
  /** When a scan_pending attachment is tried again. */
  next_scan_at: string | null
  created_at: string
  updated_at: string
}
export type AttachmentVerdictRow = Selectable<AttachmentVerdictTable>
export type NewAttachmentVerdictRow = Insertable<AttachmentVerdictTable>
