import type { Generated, Insertable, Selectable } from 'kysely'

export interface AttachmentTable {
  id: Generated<number>
  message_id: number
  filename: string
  content_type: string
  /** attachment or inline */
  disposition: string
  content_id: string | null
  size_bytes: number
  /** Content hash; the bytes live at <data-dir>/attachments/<aa>/<bb>/<sha256>. */
  sha256: string
  created_at: string
}
export type AttachmentRow = Selectable<AttachmentTable>
export type NewAttachmentRow = Insertable<AttachmentTable>
