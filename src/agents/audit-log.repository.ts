import type { Db } from '../store/database.ts'
import type { AuditLogRow } from './agent.table.ts'

export interface AuditEntry {
  agentId: number | null
  action: string
  targetType?: string
  targetId?: string | number
  /** Ids and codes only: never message content, passwords or tokens. */
  data?: Record<string, unknown>
  ip?: string | null
  now: Date
}

/** Records who did what; the audit log is append-only. */
export async function insertAuditEntry(db: Db, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      agent_id: entry.agentId,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId === undefined ? null : String(entry.targetId),
      data: JSON.stringify(entry.data ?? {}),
      ip: entry.ip ?? null,
      created_at: entry.now.toISOString(),
    })
    .execute()
}

export async function listAuditEntries(db: Db, query: { limit: number; beforeId?: number | undefined }): Promise<AuditLogRow[]> {
  let q = db.selectFrom('audit_log').selectAll()
  if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId)
  return q.orderBy('id', 'desc').limit(query.limit).execute()
}
