import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/maildesk', import.meta.url))
const EMAILS = fileURLToPath(new URL('../fixtures/verifier/emails/', import.meta.url))
const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-verify-cli-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

function maildesk(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', MAILDESK_DATA_DIR: dataDir, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err && typeof err.code === 'number' ? err.code : err ? 1 : 0
      resolve({ code, stdout, stderr })
    })
  })
}

describe('bin/maildesk verify', () => {
  it('prints the verdict and reasons as JSON for an identifier', async () => {
    const r = await maildesk(['verify', '--json', '--lang', 'en', '--data-dir', dataDir, 'https://okpay.com@evil.io/login'])
    expect(r.code).toBe(0)
    const out: unknown = JSON.parse(r.stdout)
    expect(out).toMatchObject({
      verdict: 'impersonation',
      reasons: [{ code: 'url_userinfo', message: 'The link hides its real destination: everything before "@" is ignored, it goes to evil.io.' }, { code: 'unrelated_domain' }],
    })
  })

  it('confirms an official hotline in Chinese, human-readable', async () => {
    const r = await maildesk(['verify', '--lang', 'zh-CN', '+86 400 820 6688'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('OFFICIAL: 真实：这是 OKPay 官方\n  - +86 400-820-6688 是 OKPay 的官方热线：客服热线（中国大陆）。 [official_hotline]\n')
  })

  it('never calls an official-looking .eml official with --no-dns, and says why', async () => {
    const r = await maildesk(['verify', '--json', '--no-dns', '--lang', 'en', '--eml', path.join(EMAILS, 'genuine-ack-en.eml')])
    expect(r.code).toBe(0)
    const out: unknown = JSON.parse(r.stdout)
    expect(out).toMatchObject({ verdict: 'unknown', reasons: [{ code: 'authentication_not_checked' }, { code: 'code_notice_only' }] })
  })

  it('flags a phishing .eml with --no-dns', async () => {
    const r = await maildesk(['verify', '--json', '--no-dns', '--eml', path.join(EMAILS, 'link-userinfo-en.eml')])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'impersonation' })
  })

  it('names the file when it cannot be read, or is too large', async () => {
    const missing = path.join(dataDir, 'missing.eml')
    const r = await maildesk(['verify', '--eml', missing])
    expect(r).toMatchObject({ code: 1, stdout: '' })
    expect(r.stderr).toBe(`maildesk verify: ${missing}: no such file\n`)
    const big = path.join(dataDir, 'big.eml')
    writeFileSync(big, `From: a@b.example\r\n\r\n${'x'.repeat(5000)}`)
    const r2 = await maildesk(['verify', '--eml', big], { MAILDESK_MAX_MESSAGE_BYTES: '1024' })
    expect(r2.code).toBe(1)
    expect(r2.stderr).toBe(`maildesk verify: ${big}: the file is 5021 bytes; the limit is 1024 (MAILDESK_MAX_MESSAGE_BYTES)\n`)
    const empty = path.join(dataDir, 'empty.eml')
    writeFileSync(empty, '')
    expect(await maildesk(['verify', '--eml', empty])).toEqual({ code: 1, stdout: '', stderr: `maildesk verify: ${empty}: the file is empty\n` })
  })

  it('needs no data directory: it creates nothing where it runs', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'maildesk-verify-cwd-'))
    const r = await new Promise<number>((resolve) => {
      execFile(process.execPath, [BIN, 'verify', 'okpay.com'], { cwd, env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 }, (err) => resolve(err ? 1 : 0))
    })
    expect(r).toBe(0)
    expect(readdirSync(cwd)).toEqual([])
    rmSync(cwd, { recursive: true, force: true })
  })

  it('rejects an unknown language and a missing input with usage errors', async () => {
    expect(await maildesk(['verify', '--lang', 'fr', 'okpay.com'])).toMatchObject({ code: 2, stdout: '' })
    const r = await maildesk(['verify'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('give one INPUT')
  })
})
