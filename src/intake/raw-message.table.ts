import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

/** pending → processing → processed | duplicate | failed (failed ones can be re-processed). */
export type RawMessageStatus = 'pending' | 'processing' | 'processed' | 'duplicate' | 'failed'

export interface RawMessageTable {
  id: Generated<number>
  /** smtp, file, imap, form, api */
  source: string
  received_at: string
  mail_from: string | null
  /** JSON array of envelope recipients. */
  rcpt_to: string
  remote_address: string | null
  size_bytes: number
  sha256: string
  /** The bytes as received (encrypted when `encryption` is set); null once purged by the retention policy. */
  raw: Uint8Array | null
  /** A message above 1 MiB: its encrypted file in <data-dir>/spool/raw/ (intake/raw-message-file.ts); raw is null. */
  raw_file: string | null
  /** null: plain bytes; 'aes-256-gcm': see intake/raw-message-crypto.ts; 'aes-256-gcm-stream-v1': raw_file. */
  encryption: string | null
  status: Generated<RawMessageStatus>
  attempts: Generated<number>
  /** A worker's claim on a processing message expires at this time, so a crashed worker's work is retried. */
  locked_until: string | null
  error_code: string | null
  error_message: string | null
  processed_at: string | null
  /** The ticket message made from it (also set for duplicates: the message it duplicated). */
  message_id: number | null
}
export type RawMessageRow = Selectable<RawMessageTable>
export type NewRawMessageRow = Insertable<RawMessageTable>
export type RawMessageUpdate = Updateable<RawMessageTable>
