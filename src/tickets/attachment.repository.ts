import type { Db } from '../store/database.ts'
import type { AttachmentRow, NewAttachmentRow } from './attachment.table.ts'

export async function insertAttachments(db: Db, rows: NewAttachmentRow[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('attachments').values(rows).execute()
}

export async function listAttachmentsOfMessages(db: Db, messageIds: number[]): Promise<AttachmentRow[]> {
  if (messageIds.length === 0) return []
  return db.selectFrom('attachments').selectAll().where('message_id', 'in', messageIds).orderBy('id', 'asc').execute()
}
