import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ImapMailboxConfig } from '../../src/intake/imap-config.ts'
import { ImapIntake } from '../../src/intake/imap-intake.ts'
import { findImapMailboxByName } from '../../src/intake/imap-mailbox.repository.ts'
import { RawMessageSpool } from '../../src/intake/raw-message-spool.ts'
import { silentLogger } from '../../src/logger.ts'
import type { Store } from '../../src/store/database.ts'
import { appendMessages, buildTestMessage, startDovecot, type DovecotServer } from '../helpers/dovecot.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

const USER = { user: 'support@okpay.com', password: 'not-used-with-oauth2' }
const VALID_TOKEN = 'ya29.valid-access-token'

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The provider's token introspection endpoint (RFC 7662), as Dovecot's oauth2 passdb asks it. */
function startIntrospection(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token')
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(token === VALID_TOKEN ? { active: true, username: USER.user } : { active: false }))
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

describe('IMAP intake with XOAUTH2 against a real Dovecot', () => {
  let introspection: Server
  let dovecot: DovecotServer
  let secrets: string
  beforeAll(async () => {
    introspection = await startIntrospection()
    const { port } = introspection.address() as AddressInfo
    dovecot = await startDovecot([USER], { oauth2IntrospectionUrl: `http://127.0.0.1:${port}/introspect` })
    secrets = mkdtempSync(path.join(tmpdir(), 'maildesk-oauth2-'))
  }, 30_000)
  afterAll(async () => {
    await dovecot?.destroy()
    await new Promise((r) => introspection?.close(r))
    rmSync(secrets, { recursive: true, force: true })
  })

  for (const dialect of testDialects()) {
    describe(dialect, () => {
      let store: Store
      beforeEach(async () => {
        store = await createTestDatabase(dialect)
      })
      afterEach(async () => {
        await store.destroy()
      })

      it('logs in with the access token from the token file, and picks up a refreshed token after a rejection', async () => {
        const n = dialect === 'sqlite' ? 500 : 600
        await appendMessages(dovecot, [buildTestMessage(n)])
        const tokenFile = path.join(secrets, `${dialect}.token`)
        writeFileSync(tokenFile, 'ya29.expired-token\n')
        const mailbox: ImapMailboxConfig = {
          name: 'oauth',
          host: dovecot.host,
          port: dovecot.port,
          tls: false,
          allowPlaintext: true,
          user: USER.user,
          auth: { kind: 'oauth2', tokenFile },
          folder: 'INBOX',
          afterFetch: { action: 'delete' },
          address: 'support@okpay.com',
        }
        const intake = new ImapIntake([mailbox], { db: store.db, spool: new RawMessageSpool(store.db), log: silentLogger }, {
          maxMessageBytes: 1024 * 1024,
          alertAfterMs: 60_000,
          initialDelayMs: 50,
          maxDelayMs: 200,
        })
        intake.start()
        try {
          await waitFor('the rejection', async () => (await findImapMailboxByName(store.db, 'oauth'))?.last_error_code === 'IMAP_AUTH_FAILED')
          const failed = await findImapMailboxByName(store.db, 'oauth')
          expect(failed?.last_error_message).toContain(`check the user name and the OAuth2 access token in ${tokenFile} (it may have expired)`)
          expect(failed?.last_error_message).not.toContain('expired-token')

          writeFileSync(tokenFile, `${VALID_TOKEN}\n`) // the token refresher did its job
          await waitFor('the message spooled', async () => {
            const rows = await store.db.selectFrom('raw_messages').select('source').execute()
            return rows.length === 1
          })
          await waitFor('healthy', async () => (await findImapMailboxByName(store.db, 'oauth'))?.failing_since === null)
          const client = await dovecot.connect()
          await waitFor('deleted on the server', async () => {
            const status = await client.status('INBOX', { messages: true })
            return status !== false && status.messages === 0
          })
          await client.logout()
        } finally {
          await intake.stop()
        }
      })
    })
  }
})
