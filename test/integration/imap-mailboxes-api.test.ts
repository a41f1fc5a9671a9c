import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { recordImapMailboxFailure, upsertImapMailbox } from '../../src/intake/imap-mailbox.repository.ts'
import { silentLogger } from '../../src/logger.ts'
import type { Runtime } from '../../src/runtime.ts'
import { buildApp } from '../../src/web/app.ts'
import { createAgentSession, type AgentSession } from '../helpers/auth.ts'
import { tempDir, testConfig } from '../helpers/fixtures.ts'
import { createTestRuntime } from '../helpers/runtime.ts'
import { testDialects } from '../helpers/test-database.ts'

function mailboxesFile(): string {
  const dir = tempDir()
  writeFileSync(path.join(dir, 'pw'), 'secret\n')
  const file = path.join(dir, 'mailboxes.json')
  const base = { host: 'imap.example.com', user: 'support@okpay.com', passwordFile: 'pw' }
  writeFileSync(
    file,
    JSON.stringify([
      { ...base, name: 'support', address: 'support@okpay.com' },
      { ...base, name: 'security', address: 'security@okpay.com', afterFetch: 'move:Done' },
      { ...base, name: 'new', address: 'support@okpay.com', afterFetch: 'delete' },
    ]),
  )
  return file
}

for (const dialect of testDialects()) {
  describe(`${dialect}: GET /api/v1/mailboxes`, () => {
    let rt: Runtime
    let app: FastifyInstance
    let auth: AgentSession
    beforeEach(async () => {
      rt = await createTestRuntime(dialect, testConfig({ MAILDESK_IMAP_MAILBOXES_FILE: mailboxesFile(), MAILDESK_IMAP_ALERT_AFTER_SECONDS: '600' }))
      app = await buildApp({ config: rt.config, store: rt.store, spool: rt.spool, log: silentLogger })
      auth = await createAgentSession(app, rt.store)
    })
    afterEach(async () => {
      await app.close()
      await rt.close()
    })

    it('shows each configured mailbox with its health: ok, failing past the alert threshold, never connected', async () => {
      await upsertImapMailbox(rt.store.db, 'support', {
        uid_validity: '1795643812',
        last_uid: 42,
        backlog: 3,
        last_success_at: '2026-11-25T09:59:00.000Z',
        updated_at: '2026-11-25T09:59:00.000Z',
      })
      await recordImapMailboxFailure(rt.store.db, 'security', { code: 'IMAP_AUTH_FAILED', message: 'imap.example.com:993 rejected the login', now: new Date('2020-01-01T00:00:00.000Z') })
      const res = await app.inject({ method: 'GET', url: '/api/v1/mailboxes', headers: auth.headers })
      expect(res.statusCode).toBe(200)
      const common = { host: 'imap.example.com', port: 993, folder: 'INBOX' }
      expect(res.json()).toEqual({
        mailboxes: [
          {
            ...common,
            name: 'support',
            address: 'support@okpay.com',
            afterFetch: 'seen',
            status: 'ok',
            isAlerting: false,
            lastSuccessAt: '2026-11-25T09:59:00.000Z',
            lastError: null,
            failingSince: null,
            backlog: 3,
            uidValidity: '1795643812',
            lastUid: 42,
          },
          {
            ...common,
            name: 'security',
            address: 'security@okpay.com',
            afterFetch: 'move:Done',
            status: 'failing',
            isAlerting: true,
            lastSuccessAt: null,
            lastError: { code: 'IMAP_AUTH_FAILED', message: 'imap.example.com:993 rejected the login', at: '2020-01-01T00:00:00.000Z' },
            failingSince: '2020-01-01T00:00:00.000Z',
            backlog: 0,
            uidValidity: null,
            lastUid: 0,
          },
          {
            ...common,
            name: 'new',
            address: 'support@okpay.com',
            afterFetch: 'delete',
            status: 'unknown',
            isAlerting: false,
            lastSuccessAt: null,
            lastError: null,
            failingSince: null,
            backlog: null,
            uidValidity: null,
            lastUid: null,
          },
        ],
      })
      expect(res.body).not.toContain('secret')
    })

    it('is not shown without a session', async () => {
      expect((await app.inject({ method: 'GET', url: '/api/v1/mailboxes' })).statusCode).toBe(401)
    })
  })
}
