import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../test/helpers/fixtures.ts'
import { loadConfig } from '../config.ts'
import { ConfigError } from '../errors.ts'

function mailboxFile(mailboxes: unknown): { dir: string; file: string } {
  const dir = tempDir()
  writeFileSync(path.join(dir, 'support.password'), 'hunter2\n')
  writeFileSync(path.join(dir, 'security.token'), 'ya29.token\n')
  const file = path.join(dir, 'mailboxes.json')
  writeFileSync(file, JSON.stringify(mailboxes))
  return { dir, file }
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('MAILDESK_IMAP_MAILBOXES_FILE', () => {
  it('reads mailboxes with defaults, resolving secret files beside the list', () => {
    const { dir, file } = mailboxFile([
      { name: 'support', host: 'imap.example.com', user: 'support@okpay.com', passwordFile: 'support.password', address: 'Support@okpay.com' },
      {
        name: 'security',
        host: 'outlook.office365.com',
        port: 143,
        tls: false,
        user: 'security@okpay.com',
        oauth2TokenFile: 'security.token',
        folder: 'Reports',
        afterFetch: 'move:Maildesk/Done',
        address: 'security@okpay.com',
      },
    ])
    const config = loadConfig({ MAILDESK_IMAP_MAILBOXES_FILE: file, MAILDESK_SECRET_KEY: 'a'.repeat(64) })
    expect(config.imap).toEqual({
      mailboxes: [
        {
          name: 'support',
          host: 'imap.example.com',
          port: 993,
          tls: true,
          user: 'support@okpay.com',
          auth: { kind: 'password', passwordFile: path.join(dir, 'support.password') },
          folder: 'INBOX',
          afterFetch: { action: 'seen' },
          address: 'support@okpay.com',
          allowPlaintext: false,
        },
        {
          name: 'security',
          host: 'outlook.office365.com',
          port: 143,
          tls: false,
          user: 'security@okpay.com',
          auth: { kind: 'oauth2', tokenFile: path.join(dir, 'security.token') },
          folder: 'Reports',
          afterFetch: { action: 'move', folder: 'Maildesk/Done' },
          address: 'security@okpay.com',
          allowPlaintext: false,
        },
      ],
      alertAfterMs: 900_000,
      pollIntervalMs: 60_000,
      leaseMs: 60_000,
    })
  })

  it('has no mailboxes when unset', () => {
    expect(loadConfig({ MAILDESK_SECRET_KEY: 'a'.repeat(64) }).imap.mailboxes).toEqual([])
  })

  it('reports a malformed field by its index and path, saying what is accepted', () => {
    const { file } = mailboxFile([
      { name: 'c', host: 'h', user: 'u', passwordFile: 'support.password', afterFetch: 'archive', address: 'support@okpay.com' },
    ])
    expect(problemsOf(() => loadConfig({ MAILDESK_IMAP_MAILBOXES_FILE: file, MAILDESK_SECRET_KEY: 'a'.repeat(64) }))).toEqual([
      `MAILDESK_IMAP_MAILBOXES_FILE ${file}: 0.afterFetch: afterFetch must be "seen", "delete" or "move:<folder>"`,
    ])
  })

  it('lists every problem of a well-formed list: both secrets, an unreadable secret, plaintext off loopback, a non-official address', () => {
    const { dir, file } = mailboxFile([
      { name: 'a', host: 'h', user: 'u', passwordFile: 'support.password', oauth2TokenFile: 'security.token', address: 'support@okpay.com' },
      { name: 'b', host: 'h', user: 'u', passwordFile: 'missing.password', address: 'support@okpay.com' },
      { name: 'd', host: 'h', user: 'u', passwordFile: 'support.password', address: 'help@gmail.com' },
      { name: 'e', host: 'imap.example.com', tls: false, allowPlaintext: true, user: 'u', passwordFile: 'support.password', address: 'support@okpay.com' },
    ])
    const problems = problemsOf(() => loadConfig({ MAILDESK_IMAP_MAILBOXES_FILE: file, MAILDESK_SECRET_KEY: 'a'.repeat(64) }))
    expect(problems).toEqual([
      `MAILDESK_IMAP_MAILBOXES_FILE ${file}: 0 (a): set exactly one of passwordFile (password login) or oauth2TokenFile (XOAUTH2 access token)`,
      `MAILDESK_IMAP_MAILBOXES_FILE ${file}: 1 (b): cannot read ${path.join(dir, 'missing.password')} (ENOENT)`,
      `MAILDESK_IMAP_MAILBOXES_FILE ${file}: 3 (e): allowPlaintext is only allowed for a server on loopback (got host imap.example.com)`,
      'MAILDESK_IMAP_MAILBOXES_FILE: mailbox d: address must be one of the official addresses (support@okpay.com, security@okpay.com, noreply@okpay.com)',
    ])
  })

  it('checks the clamd address', () => {
    expect(problemsOf(() => loadConfig({ MAILDESK_CLAMD_ADDRESS: 'clamd:3310', MAILDESK_SECRET_KEY: 'a'.repeat(64) }))).toEqual([
      'MAILDESK_CLAMD_ADDRESS: clamd address must be tcp://host:port, unix:/path/to/clamd.ctl or an absolute socket path',
    ])
    expect(loadConfig({ MAILDESK_CLAMD_ADDRESS: 'tcp://127.0.0.1:3310', MAILDESK_SECRET_KEY: 'a'.repeat(64) }).clamdAddress).toBe('tcp://127.0.0.1:3310')
  })
})
