import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { doctor } from '../../src/cli/doctor.ts'
import { createZoneResolver } from '../../src/pipeline/authenticate-sender.ts'
import { testConfig } from '../helpers/fixtures.ts'

function capture() {
  const lines: string[] = []
  return { lines, io: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`) } }
}

describe('maildesk doctor', () => {
  it('passes a fresh SQLite data dir with free ports and no DNS checks', async () => {
    const { lines, io } = capture()
    const config = testConfig()
    expect(await doctor(config, io, { noDns: true })).toBe(0)
    expect(lines.map((l) => l.slice(0, 28).trimEnd())).toEqual([
      'ok    config',
      'ok    data dir',
      'ok    data dir permissions',
      'ok    database',
      'ok    port http',
      'ok    port smtp',
      'ok    outbound relay',
      '',
      'all checks passed',
    ])
  })

  it('fails when the SMTP port is taken and the DNS records are missing, and exits 1 with the fixes', async () => {
    const busy = net.createServer()
    await new Promise<void>((resolve) => busy.listen({ host: '127.0.0.1', port: 0 }, resolve))
    const address = busy.address()
    const port = typeof address === 'object' && address ? address.port : 0
    try {
      const { lines, io } = capture()
      const config = testConfig({ MAILDESK_SMTP_PORT: String(port), MAILDESK_PUBLIC_URL: 'https://support.okpay.com' })
      expect(await doctor(config, io, { noDns: false, resolver: createZoneResolver({}) })).toBe(1)
      const text = lines.join('\n')
      expect(text).toContain(`fail  port smtp              cannot bind 127.0.0.1:${port} (EADDRINUSE)`)
      expect(text).toContain('fix: publish "okpay.com. IN MX 10 support.okpay.com." so mail for okpay.com reaches Maildesk')
      expect(text).toContain('fail  dkim                   no TXT record at maildesk._domainkey.okpay.com')
      expect(lines.at(-1)).toBe('5 check(s) failed, 0 warning(s)')
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()))
    }
  })

  it('fails an unreachable relay without printing its credentials', async () => {
    const { lines, io } = capture()
    const config = testConfig({ MAILDESK_SMTP_RELAY_URL: 'smtp://user:s3cret@127.0.0.1:1' })
    expect(await doctor(config, io, { noDns: true, noPorts: true })).toBe(1)
    expect(lines.find((l) => l.startsWith('fail  outbound relay'))).toBe('fail  outbound relay         127.0.0.1:1: ESOCKET')
    expect(lines.join('\n')).not.toContain('s3cret')
  })
})
