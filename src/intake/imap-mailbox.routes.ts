import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../web/app.ts'
import type { ImapMailboxConfig } from './imap-config.ts'
import { listImapMailboxes } from './imap-mailbox.repository.ts'
import type { ImapMailboxRow } from './imap-mailbox.table.ts'

export type MailboxHealthStatus = 'ok' | 'failing' | 'unknown'

/** One configured mailbox and its health, as /api/v1/mailboxes shows it (no secrets, no secret paths). */
export function presentMailbox(mailbox: ImapMailboxConfig, row: ImapMailboxRow | undefined, alertAfterMs: number, now: Date) {
  const status: MailboxHealthStatus = !row || (!row.last_success_at && !row.failing_since) ? 'unknown' : row.failing_since ? 'failing' : 'ok'
  return {
    name: mailbox.name,
    address: mailbox.address,
    host: mailbox.host,
    port: mailbox.port,
    folder: mailbox.folder,
    afterFetch: mailbox.afterFetch.action === 'move' ? `move:${mailbox.afterFetch.folder}` : mailbox.afterFetch.action,
    status,
    /** Failing for longer than the alert threshold: someone must act. */
    isAlerting: row?.failing_since ? now.getTime() - Date.parse(row.failing_since) >= alertAfterMs : false,
    lastSuccessAt: row?.last_success_at ?? null,
    lastError: row?.last_error_code ? { code: row.last_error_code, message: row.last_error_message, at: row.last_error_at } : null,
    failingSince: row?.failing_since ?? null,
    backlog: row?.backlog ?? null,
    uidValidity: row?.uid_validity ?? null,
    lastUid: row ? Number(row.last_uid) : null,
  }
}

export interface MailboxRouteOptions {
  now?: () => Date
}

/** GET /api/v1/mailboxes: every configured IMAP mailbox with its health (last success, last error, backlog). */
export function imapMailboxRoutes(deps: Pick<AppDeps, 'config' | 'store'>, options: MailboxRouteOptions = {}) {
  const now = options.now ?? (() => new Date())
  return async function register(app: FastifyInstance): Promise<void> {
    app.get(
      '/api/v1/mailboxes',
      { schema: { summary: 'IMAP mailboxes read by the intake, with their health', tags: ['intake'] } },
      async () => {
        const rows = new Map((await listImapMailboxes(deps.store.db)).map((r) => [r.name, r]))
        const { mailboxes, alertAfterMs } = deps.config.imap
        return { mailboxes: mailboxes.map((m) => presentMailbox(m, rows.get(m.name), alertAfterMs, now())) }
      },
    )
  }
}
