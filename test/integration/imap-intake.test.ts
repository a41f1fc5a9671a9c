import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ImapFlow, StatusObject } from 'imapflow'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ImapMailboxConfig } from '../../src/intake/imap-config.ts'
import { ImapIntake, type ImapIntakeOptions, type MailboxAlert } from '../../src/intake/imap-intake.ts'
import { findImapMailboxByName } from '../../src/intake/imap-mailbox.repository.ts'
import { RawMessageSpool, type IncomingRawMessage } from '../../src/intake/raw-message-spool.ts'
import { silentLogger } from '../../src/logger.ts'
import type { Store } from '../../src/store/database.ts'
import { appendMessages, buildTestMessage, dovecotMailbox, startDovecot, type DovecotServer, type DovecotUser } from '../helpers/dovecot.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

const USERS: DovecotUser[] = Array.from({ length: 20 }, (_, i) => ({ user: `box${i}@okpay.com`, password: `secret-${i}` }))
let nextUser = 0

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== null && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Message-IDs of everything spooled, in spool order. */
async function spooledMessageIds(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('raw_messages').select(['id', 'raw', 'rcpt_to', 'source']).orderBy('id').execute()
  return rows.map((r) => /^Message-ID: (<[^>]+>)/m.exec(Buffer.from(r.raw ?? new Uint8Array()).toString('utf8'))?.[1] ?? '?')
}

/** STATUS of a folder; ImapFlow answers false when the server refused. */
async function folderStatus(client: ImapFlow, folder: string): Promise<StatusObject> {
  const status = await client.status(folder, { messages: true, unseen: true, uidValidity: true })
  if (!status) throw new Error(`STATUS ${folder} failed`)
  return status
}

const ids = (ns: number[]) => ns.map((n) => `<imap-test-${n}@example.com>`)

/** A TCP proxy to a local IMAP server that rewrites every RFC822.SIZE in its answers to 100, and keeps what the client sent. */
async function startSizeRewritingProxy(targetPort: number): Promise<{ port: number; commands(): string; close(): Promise<void> }> {
  let sent = ''
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort })
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => (client.destroy(), upstream.destroy()))
    }
    client.on('data', (chunk: Buffer) => {
      sent += chunk.toString('latin1')
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => client.write(Buffer.from(chunk.toString('latin1').replace(/RFC822\.SIZE \d+/g, 'RFC822.SIZE 100'), 'latin1')))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    commands: () => sent,
    close: () => {
      for (const s of sockets) s.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

describe('IMAP intake against a real Dovecot', () => {
  let dovecot: DovecotServer
  let secrets: string
  beforeAll(async () => {
    dovecot = await startDovecot(USERS)
    secrets = mkdtempSync(path.join(tmpdir(), 'maildesk-imap-secrets-'))
  }, 30_000)
  afterAll(async () => {
    await dovecot?.destroy()
    rmSync(secrets, { recursive: true, force: true })
  })

  function mailboxFor(user: DovecotUser, overrides: Partial<ImapMailboxConfig> = {}, password = user.password): ImapMailboxConfig {
    return dovecotMailbox(dovecot, user, secrets, overrides, password)
  }

  function takeUser(): DovecotUser {
    const user = USERS[nextUser++]
    if (!user) throw new Error('add more USERS')
    return user
  }

  const fast: Omit<ImapIntakeOptions, 'alertAfterMs'> = {
    maxMessageBytes: 1024 * 1024,
    initialDelayMs: 50,
    maxDelayMs: 300,
    pollIntervalMs: 60_000,
    connectTimeoutMs: 3000,
    leaseMs: 1000, // a killed reader is taken over after a second
  }

  for (const dialect of testDialects()) {
    describe(`${dialect}`, () => {
      let store: Store
      let intakes: ImapIntake[]
      beforeEach(async () => {
        store = await createTestDatabase(dialect)
        intakes = []
      })
      afterEach(async () => {
        await Promise.all(intakes.map((i) => i.stop()))
        await store.destroy()
      })
      const startIntake = (mailboxes: ImapMailboxConfig[], options: Partial<ImapIntakeOptions> = {}, spool = new RawMessageSpool(store.db)) => {
        const intake = new ImapIntake(mailboxes, { db: store.db, spool, log: silentLogger }, { ...fast, alertAfterMs: 60_000, ...options })
        intakes.push(intake)
        intake.start()
        return intake
      }

      it('spools waiting messages oldest first from several mailboxes, and marks them seen only after', async () => {
        const a = takeUser()
        const b = takeUser()
        await appendMessages(dovecot, [1, 2, 3].map((n) => buildTestMessage(n)), 'INBOX', a)
        await appendMessages(dovecot, [buildTestMessage(4)], 'INBOX', b)
        startIntake([mailboxFor(a), mailboxFor(b, { address: 'security@okpay.com' })])
        await waitFor('4 spooled', async () => (await spooledMessageIds(store)).length === 4)
        const spooled = await spooledMessageIds(store)
        expect(spooled.filter((id) => ids([1, 2, 3]).includes(id))).toEqual(ids([1, 2, 3]))
        const rows = await store.db.selectFrom('raw_messages').select(['source', 'rcpt_to']).orderBy('id').execute()
        expect(new Set(rows.map((r) => `${r.source} ${r.rcpt_to}`))).toEqual(new Set(['imap ["support@okpay.com"]', 'imap ["security@okpay.com"]']))
        const client = await dovecot.connect(a)
        await client.mailboxOpen('INBOX')
        const flags = await waitFor('seen flags', async () => {
          const all = await client.fetchAll('1:*', { uid: true, flags: true })
          return all.every((m) => m.flags?.has('\\Seen')) ? all : undefined
        })
        expect(flags).toHaveLength(3)
        await client.logout()
        const state = await findImapMailboxByName(store.db, mailboxFor(a).name)
        expect(Number(state?.last_uid)).toBe(3)
        expect(state?.backlog).toBe(0)
        expect(state?.failing_since).toBeNull()
        expect(state?.last_success_at).not.toBeNull()
      })

      it('leaves a message over the size limit on the server, unseen, also when the server under-reports its size', async () => {
        const honest = takeUser()
        const lied = takeUser()
        const messages = [buildTestMessage(20), buildTestMessage(21, { body: 'x'.repeat(5000) }), buildTestMessage(22)]
        await appendMessages(dovecot, messages, 'INBOX', honest)
        await appendMessages(dovecot, messages, 'INBOX', lied)
        // In front of the same Dovecot: every RFC822.SIZE it answers becomes 100 bytes.
        const proxy = await startSizeRewritingProxy(dovecot.port)
        try {
          startIntake([mailboxFor(honest), mailboxFor(lied, { name: 'lied', port: proxy.port })], { maxMessageBytes: 3000 })
          for (const name of [mailboxFor(honest).name, 'lied']) {
            const state = await waitFor(`${name} synced`, async () => {
              const row = await findImapMailboxByName(store.db, name)
              return Number(row?.last_uid) === 3 ? row : undefined
            })
            expect(state?.backlog).toBe(0)
          }
          expect((await spooledMessageIds(store)).sort()).toEqual([...ids([20, 22]), ...ids([20, 22])].sort())
          // The whole message was never asked for: one byte past the limit at most.
          expect(proxy.commands()).toContain('BODY.PEEK[]<0.3001>')
          for (const user of [honest, lied]) {
            const client = await dovecot.connect(user)
            await client.mailboxOpen('INBOX')
            const seen = (await client.fetchAll('1:*', { uid: true, flags: true })).map((m) => m.flags?.has('\\Seen'))
            await client.logout()
            expect(seen).toEqual([true, false, true])
          }
        } finally {
          await proxy.close()
        }
      })

      it('picks up a message delivered while connected (IDLE), with no poll due', async () => {
        const user = takeUser()
        const mailbox = mailboxFor(user)
        startIntake([mailbox], { pollIntervalMs: 10 * 60_000 })
        await waitFor('first sync', async () => (await findImapMailboxByName(store.db, mailbox.name))?.last_success_at ?? undefined)
        await new Promise((r) => setTimeout(r, 300)) // let it enter IDLE
        const delivered = Date.now()
        await appendMessages(dovecot, [buildTestMessage(10)], 'INBOX', user)
        await waitFor('the delivery spooled', async () => (await spooledMessageIds(store)).includes(ids([10])[0] ?? ''), 5000)
        expect(Date.now() - delivered).toBeLessThan(5000)
      })

      it('spools every message exactly once when the poller is killed in the middle of a fetch', async () => {
        const user = takeUser()
        const mailbox = mailboxFor(user, { afterFetch: { action: 'move', folder: 'Processed' } })
        const numbers = Array.from({ length: 30 }, (_, i) => 100 + i)
        await appendMessages(dovecot, numbers.map((n) => buildTestMessage(n)), 'INBOX', user)
        // Dies right after the spool committed its second batch, before anything else is written:
        // no digest marked spooled, nothing moved on the server, the position not advanced.
        let intake: ImapIntake | undefined
        let calls = 0
        class CrashingSpool extends RawMessageSpool {
          override spool(message: IncomingRawMessage): Promise<number> {
            const result = super.spool(message)
            if (++calls === 10) void result.then(() => intake?.abort())
            return result
          }
        }
        intake = startIntake([mailbox], { batchSize: 5 }, new CrashingSpool(store.db))
        await waitFor('the crash', async () => calls >= 10)
        await intake.abort()
        expect((await spooledMessageIds(store)).length).toBe(10)
        startIntake([mailbox], { batchSize: 5 })
        await waitFor('all 30', async () => (await findImapMailboxByName(store.db, mailbox.name))?.last_success_at && (await spooledMessageIds(store)).length >= 30)
        const spooled = await spooledMessageIds(store)
        expect(spooled).toEqual(ids(numbers))
        const client = await dovecot.connect(user)
        expect((await folderStatus(client, 'INBOX')).messages).toBe(0)
        expect((await folderStatus(client, 'Processed')).messages).toBe(30)
        await client.logout()
      })

      it('re-syncs after a UIDVALIDITY change without spooling anything twice', async () => {
        const user = takeUser()
        const mailbox = mailboxFor(user, { folder: 'Support' })
        const admin = await dovecot.connect(user)
        await admin.mailboxCreate('Support')
        const before = (await folderStatus(admin, 'Support')).uidValidity
        await admin.logout()
        await appendMessages(dovecot, [20, 21, 22].map((n) => buildTestMessage(n)), 'Support', user)
        const first = startIntake([mailbox])
        await waitFor('3 spooled', async () => (await spooledMessageIds(store)).length === 3)
        await first.stop()

        // Dovecot derives UIDVALIDITY from the clock: recreate the folder in a later second.
        await new Promise((r) => setTimeout(r, 1100))
        const again = await dovecot.connect(user)
        await again.mailboxDelete('Support')
        await again.mailboxCreate('Support')
        const after = (await folderStatus(again, 'Support')).uidValidity
        await again.logout()
        expect(after).not.toBe(before)
        await appendMessages(dovecot, [20, 21, 22, 23].map((n) => buildTestMessage(n)), 'Support', user)

        startIntake([mailbox])
        await waitFor('the re-sync', async () => {
          const state = await findImapMailboxByName(store.db, mailbox.name)
          return state?.uid_validity === String(after) && Number(state.last_uid) === 4
        })
        expect(await spooledMessageIds(store)).toEqual(ids([20, 21, 22, 23]))
      })

      it('reconnects after the server dies, records the failure and alerts, then catches up', async () => {
        const user = takeUser()
        const mailbox = mailboxFor(user)
        await appendMessages(dovecot, [30, 31].map((n) => buildTestMessage(n)), 'INBOX', user)
        const alerts: MailboxAlert[] = []
        const intake = startIntake([mailbox], { alertAfterMs: 300 })
        intake.onAlert((a) => alerts.push(a))
        await waitFor('2 spooled', async () => (await spooledMessageIds(store)).length === 2)

        await dovecot.kill()
        const failing = await waitFor('the failure recorded', async () => {
          const state = await findImapMailboxByName(store.db, mailbox.name)
          return state?.last_error_code === 'IMAP_CONNECTION_FAILED' && state.failing_since ? state : undefined
        })
        expect(failing.last_error_message).toContain(`127.0.0.1:${dovecot.port}`)
        await waitFor('the alert', async () => alerts.length > 0)
        expect(alerts[0]).toMatchObject({ mailbox: mailbox.name, code: 'IMAP_CONNECTION_FAILED', failingSince: failing.failing_since })

        await dovecot.start()
        await appendMessages(dovecot, [32, 33].map((n) => buildTestMessage(n)), 'INBOX', user)
        await waitFor('4 spooled', async () => (await spooledMessageIds(store)).length === 4)
        expect(await spooledMessageIds(store)).toEqual(ids([30, 31, 32, 33]))
        const healed = await waitFor('healthy again', async () => {
          const state = await findImapMailboxByName(store.db, mailbox.name)
          return state?.failing_since === null ? state : undefined
        })
        expect(healed.last_error_code).toBe('IMAP_CONNECTION_FAILED') // kept for the record
        expect(alerts).toHaveLength(1)
      }, 30_000)

      it('lets only one of two processes read a mailbox, and the other take over when it stops', async () => {
        const user = takeUser()
        const mailbox = mailboxFor(user, { afterFetch: { action: 'delete' } })
        await appendMessages(dovecot, [50, 51, 52].map((n) => buildTestMessage(n)), 'INBOX', user)
        const first = startIntake([mailbox])
        const second = startIntake([mailbox])
        await waitFor('3 spooled', async () => (await spooledMessageIds(store)).length === 3)
        const leaseOwner = async () =>
          (await store.db.selectFrom('imap_mailboxes').select(['lease_owner']).where('name', '=', mailbox.name).executeTakeFirst())?.lease_owner
        const holder = (await leaseOwner()) === first.owner ? first : second
        const other = holder === first ? second : first
        expect([first.owner, second.owner]).toContain(await leaseOwner())
        // The holder stops cleanly and gives the lease up; the other one reads the next delivery.
        await holder.stop()
        await appendMessages(dovecot, [53].map((n) => buildTestMessage(n)), 'INBOX', user)
        await waitFor('the 4th spooled', async () => (await spooledMessageIds(store)).length === 4)
        expect(await spooledMessageIds(store)).toEqual(ids([50, 51, 52, 53]))
        expect(await leaseOwner()).toBe(other.owner)
        await other.stop()
        const released = await store.db.selectFrom('imap_mailboxes').select(['lease_owner']).where('name', '=', mailbox.name).executeTakeFirst()
        expect(released?.lease_owner).toBeNull()
      })

      it('reports wrong credentials clearly, marks the mailbox unhealthy, loses nothing, and recovers when fixed', async () => {
        const user = takeUser()
        await appendMessages(dovecot, [40, 41].map((n) => buildTestMessage(n)), 'INBOX', user)
        const mailbox = mailboxFor(user, {}, 'wrong-password')
        startIntake([mailbox])
        const state = await waitFor('the auth failure', async () => {
          const s = await findImapMailboxByName(store.db, mailbox.name)
          return s?.last_error_code === 'IMAP_AUTH_FAILED' ? s : undefined
        })
        expect(state.last_error_message).toMatch(/rejected the login of mailbox "box\d+"/)
        expect(state.last_error_message).toContain(`check the user name and the password in ${path.join(secrets, `${user.user}.password`)}`)
        expect(state.last_error_message).not.toContain('wrong-password')
        expect(state.failing_since).not.toBeNull()
        expect(await spooledMessageIds(store)).toEqual([])
        const client = await dovecot.connect(user)
        expect((await folderStatus(client, 'INBOX')).unseen).toBe(2)
        await client.logout()

        if (mailbox.auth.kind !== 'password') throw new Error('a password mailbox')
        writeFileSync(mailbox.auth.passwordFile, `${user.password}\n`) // the operator fixes it
        await waitFor('2 spooled', async () => (await spooledMessageIds(store)).length === 2)
        await waitFor('healthy again', async () => (await findImapMailboxByName(store.db, mailbox.name))?.failing_since === null)
      })
    })
  }
})
