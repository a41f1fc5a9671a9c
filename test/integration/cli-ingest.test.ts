import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildEmail, REPO_ROOT, tempDir } from '../helpers/fixtures.ts'

function maildesk(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/maildesk'), ...args], {
    env: { ...process.env, DATABASE_URL: '', ...env },
    encoding: 'utf8',
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('bin/maildesk ingest', () => {
  it('prints one line per file with its ticket number; a reply prints the original ticket', () => {
    const dir = tempDir()
    const first = path.join(dir, 'first.eml')
    const reply = path.join(dir, 'reply.eml')
    const other = path.join(dir, 'other.eml')
    writeFileSync(first, buildEmail({ messageId: '<c1@customer.example>' }))
    writeFileSync(reply, buildEmail({ messageId: '<c2@customer.example>', inReplyTo: '<c1@customer.example>', subject: 'Re: Payment failed', body: 'It was the order from Tuesday.' }))
    writeFileSync(other, buildEmail({ messageId: '<c3@customer.example>', from: 'wang@customer.example', subject: 'Refund' }))
    const result = maildesk(['ingest', '--data-dir', path.join(dir, 'data'), first, reply, other])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`OKP-1001\tcreated\t${first}\nOKP-1001\tjoined\t${reply}\nOKP-1002\tcreated\t${other}\n`)
    const again = maildesk(['ingest', '--data-dir', path.join(dir, 'data'), first])
    expect(again.stdout).toBe(`OKP-1001\tduplicate\t${first}\n`)
  })

  it('imports every message of an mbox file, one line each, named FILE#N', () => {
    const dir = tempDir()
    const box = path.join(dir, 'export.mbox')
    const first = buildEmail({ messageId: '<m1@customer.example>', subject: 'Card blocked' }).toString('latin1').replace(/\r\n/g, '\n')
    const second = buildEmail({ messageId: '<m2@customer.example>', from: 'wang@customer.example', subject: 'Refund', body: 'From the shop I got nothing.' })
      .toString('latin1')
      .replace(/\r\n/g, '\n')
      .replace('\nFrom the shop', '\n>From the shop')
    writeFileSync(box, `From li.wei@customer.example Mon Nov 23 10:00:00 2026\n${first}\nFrom wang@customer.example Tue Nov 24 11:00:00 2026\n${second}\n`)
    const result = maildesk(['ingest', '--data-dir', path.join(dir, 'data'), box])
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe(`OKP-1001\tcreated\t${box}#1\nOKP-1002\tcreated\t${box}#2\n`)
    expect(result.code).toBe(0)
  })

  it('names each file that is not an email, says why, still ingests the rest, and exits 1', () => {
    const dir = tempDir()
    const empty = path.join(dir, 'empty.eml')
    const binary = path.join(dir, 'photo.jpg')
    const prose = path.join(dir, 'notes.txt')
    const good = path.join(dir, 'good.eml')
    writeFileSync(empty, '')
    writeFileSync(binary, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]))
    writeFileSync(prose, 'Dear team, this is just a note without any headers.\n')
    writeFileSync(good, buildEmail({}))
    const result = maildesk(['ingest', '--data-dir', path.join(dir, 'data'), empty, binary, prose, path.join(dir, 'missing.eml'), good])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe(`OKP-1001\tcreated\t${good}\n`)
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      `maildesk ingest: ${empty}: the file is empty`,
      `maildesk ingest: ${binary}: the data is binary (it contains NUL bytes), not an RFC 5322 message`,
      `maildesk ingest: ${prose}: the data does not start with a header field ("Name: value"), so it is not an email`,
      `maildesk ingest: ${path.join(dir, 'missing.eml')}: no such file`,
    ])
  })

  it('refuses a file over the message size limit without reading it, naming the file and both sizes', () => {
    const dir = tempDir()
    const big = path.join(dir, 'big.eml')
    writeFileSync(big, buildEmail({ body: 'x'.repeat(5000) }))
    const result = maildesk(['ingest', '--data-dir', path.join(dir, 'data'), big], { MAILDESK_MAX_MESSAGE_BYTES: '4096' })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(new RegExp(`^maildesk ingest: ${big.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the file is \\d+ bytes; the limit is 4096\n$`))
  })

  it('explains usage errors and configuration errors with exit code 2', () => {
    const unknownFlag = maildesk(['ingest', '--colour', 'x.eml'])
    expect(unknownFlag.code).toBe(2)
    expect(unknownFlag.stderr).toContain("Unknown option '--colour'")
    expect(unknownFlag.stderr).toContain('usage: maildesk ingest [--data-dir DIR] FILE.eml…')
    const badConfig = maildesk(['ingest', 'x.eml'], { MAILDESK_SMTP_PORT: '99999' })
    expect(badConfig.code).toBe(2)
    expect(badConfig.stderr).toContain('MAILDESK_SMTP_PORT')
    const unknownCommand = maildesk(['frobnicate'])
    expect(unknownCommand.code).toBe(2)
    expect(unknownCommand.stderr).toContain('unknown command "frobnicate"')
  })
})
