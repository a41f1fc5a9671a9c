import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/maildesk', import.meta.url))
const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-redact-'))

afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

/** Runs the real bin/maildesk with `stdin` piped in. */
function runRedact(args: string[], stdin: Uint8Array | string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'redact', '--data-dir', dataDir, ...args], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    // The command stops reading oversized input early; the rest of our write then fails with EPIPE.
    child.stdin.on('error', () => {})
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin)
  })
}

describe('bin/maildesk redact', () => {
  it('prints the redacted text and nothing else', async () => {
    const result = await runRedact([], '我的卡号是 4242 4242 4242 4242，密码是abc123。\nOrder number 4532015112830366')
    expect(result).toEqual({
      code: 0,
      stdout: '我的卡号是 [银行卡 •••• 4242]，密码是[密码已删除]。\nOrder number 4532015112830366',
      stderr: '',
    })
  })

  it('prints text and findings with offsets into the input with --json', async () => {
    const input = 'CVV 123, PIN: 4321'
    const result = await runRedact(['--json'], input)
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      text: 'CVV [CVV removed], PIN: [PIN removed]',
      findings: [
        { type: 'cvv', start: 4, end: 7 },
        { type: 'pin', start: 14, end: 18 },
      ],
    })
  })

  it('accepts empty input', async () => {
    expect(await runRedact([], '')).toEqual({ code: 0, stdout: '', stderr: '' })
  })

  it('refuses input over 10 MiB with exit code 2', async () => {
    const result = await runRedact([], new Uint8Array(10 * 1024 * 1024 + 1).fill(0x61))
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('the input is larger than 10 MiB (10485760 bytes)')
  })

  it('refuses invalid UTF-8 with exit code 2', async () => {
    const result = await runRedact([], Uint8Array.from([0x70, 0x69, 0x6e, 0x20, 0xc3, 0x28]))
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('the input is not valid UTF-8 (6 bytes)')
  })

  it('rejects an unknown flag with exit code 2', async () => {
    const result = await runRedact(['--jsn'], 'x')
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('usage: maildesk redact')
  })
})
