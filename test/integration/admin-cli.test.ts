import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { announceFirstAdmin } from '../../src/agents/first-admin.ts'
import { verifyPassword } from '../../src/agents/password.ts'
import { admin } from '../../src/cli/admin.ts'
import { main } from '../../src/cli/main.ts'
import { silentLogger } from '../../src/logger.ts'
import { openDatabase, sqlitePathIn } from '../../src/store/database.ts'
import { tempDir, testConfig } from '../helpers/fixtures.ts'

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err }
}

describe('maildesk admin', () => {
  it('creates an admin from --password-file, refuses a duplicate, and sets a new password from stdin', async () => {
    const dataDir = tempDir()
    const file = path.join(dataDir, 'pw')
    writeFileSync(file, 'correct-horse-battery\n')
    const first = capture()
    expect(await main(['admin', 'create', '--email', 'Boss@OKPay.com', '--role', 'admin', '--password-file', file, '--data-dir', dataDir], { MAILDESK_LOG_LEVEL: 'silent' }, first.io)).toBe(0)
    expect(first.out).toEqual(['created admin boss@okpay.com (id 1)'])

    const again = capture()
    expect(await main(['admin', 'create', '--email', 'boss@okpay.com', '--password-file', file, '--data-dir', dataDir], { MAILDESK_LOG_LEVEL: 'silent' }, again.io)).toBe(2)
    expect(again.err).toEqual(['maildesk admin: an agent with this email already exists'])

    const config = testConfig({ MAILDESK_DATA_DIR: dataDir })
    const reset = capture()
    const stdin = Object.assign(Readable.from([Buffer.from('a-brand-new-password\n')]), { isTTY: false })
    expect(await admin(config, ['set-password'], { email: 'boss@okpay.com', stdin }, reset.io)).toBe(0)
    expect(reset.out).toEqual(['password changed for boss@okpay.com; their sessions were ended'])

    const store = await openDatabase({ sqlitePath: sqlitePathIn(dataDir) })
    try {
      const row = await store.db.selectFrom('agents').select(['role', 'password_hash']).where('email', '=', 'boss@okpay.com').executeTakeFirstOrThrow()
      expect(row.role).toBe('admin')
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
      expect(await verifyPassword(row.password_hash, 'a-brand-new-password')).toBe(true)
      const audit = await store.db.selectFrom('audit_log').select('action').orderBy('id').execute()
      expect(audit.map((a) => a.action)).toEqual(['agent.create', 'password_changed'])
    } finally {
      await store.destroy()
    }
  })

  it("set-password deletes the first admin's generated password file, and leaves it for anyone else's change", async () => {
    const dataDir = tempDir()
    const config = testConfig({ MAILDESK_DATA_DIR: dataDir })
    const store = await openDatabase({ sqlitePath: sqlitePathIn(dataDir) })
    try {
      await announceFirstAdmin(store.db, config, silentLogger)
    } finally {
      await store.destroy()
    }
    const passwordFile = path.join(dataDir, 'secrets', 'first-admin-password')
    const pw = path.join(dataDir, 'pw')
    writeFileSync(pw, 'another-agents-password\n')
    expect(await main(['admin', 'create', '--email', 'agent@okpay.com', '--role', 'agent', '--password-file', pw, '--data-dir', dataDir], { MAILDESK_LOG_LEVEL: 'silent' }, capture().io)).toBe(0)
    expect(await main(['admin', 'set-password', '--email', 'agent@okpay.com', '--password-file', pw, '--data-dir', dataDir], { MAILDESK_LOG_LEVEL: 'silent' }, capture().io)).toBe(0)
    expect(existsSync(passwordFile)).toBe(true)
    expect(await main(['admin', 'set-password', '--email', 'admin@okpay.com', '--password-file', pw, '--data-dir', dataDir], { MAILDESK_LOG_LEVEL: 'silent' }, capture().io)).toBe(0)
    expect(existsSync(passwordFile)).toBe(false)
  })

  it('says what is missing', async () => {
    const c = capture()
    expect(await main(['admin', 'create', '--data-dir', tempDir()], { MAILDESK_LOG_LEVEL: 'silent' }, c.io)).toBe(2)
    expect(c.err).toEqual(['maildesk admin: --email is required (the address the agent logs in with)'])
    const weak = capture()
    const dataDir = tempDir()
    const file = path.join(dataDir, 'pw')
    writeFileSync(file, 'short')
    expect(await main(['admin', 'create', '--email', 'a@okpay.com', '--password-file', file, '--data-dir', dataDir], { MAILDESK_LOG_LEVEL: 'silent' }, weak.io)).toBe(2)
    expect(weak.err).toEqual(['maildesk admin: password must be at least 10 characters (got 5)'])
    const missing = capture()
    expect(await main(['admin', 'create', '--email', 'a@okpay.com', '--password-file', '/nonexistent/pw', '--data-dir', dataDir], { MAILDESK_LOG_LEVEL: 'silent' }, missing.io)).toBe(2)
    expect(missing.err).toEqual(['maildesk admin: cannot read --password-file /nonexistent/pw (ENOENT); give a readable file that holds the password'])
    expect(await main(['admin', 'create', '--email', 'a@okpay.com', '--password-file', dataDir, '--data-dir', dataDir], { MAILDESK_LOG_LEVEL: 'silent' }, missing.io)).toBe(2)
    expect(missing.err[1]).toContain('(EISDIR)')
  })

  it('creates an agent, not an admin, unless --role admin is given', async () => {
    const dataDir = tempDir()
    const file = path.join(dataDir, 'pw')
    writeFileSync(file, 'correct-horse-battery\n')
    const c = capture()
    expect(await main(['admin', 'create', '--email', 'new@okpay.com', '--password-file', file, '--data-dir', dataDir], { MAILDESK_LOG_LEVEL: 'silent' }, c.io)).toBe(0)
    expect(c.out).toEqual(['created agent new@okpay.com (id 1)'])
  })
})
