import { spawnSync } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT, tempDir } from '../helpers/fixtures.ts'

describe('bin/maildesk serve', () => {
  it('stops with a clear message and exit code 1 when its port is taken, without spending the first admin password', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as AddressInfo).port
    try {
      const result = spawnSync(
        process.execPath,
        [path.join(REPO_ROOT, 'bin/maildesk'), 'serve', '--data-dir', tempDir(), '--http-port', String(port), '--smtp-port', '0'],
        { env: { ...process.env, DATABASE_URL: '', MAILDESK_LOG_LEVEL: 'info' }, encoding: 'utf8', timeout: 60_000 },
      )
      expect(result.status).toBe(1)
      expect(result.stderr.trim()).toBe(
        `maildesk serve: 127.0.0.1:${port} is already in use by another program; stop it, or choose other ports with --http-port/--smtp-port (MAILDESK_HTTP_PORT/MAILDESK_SMTP_PORT)`,
      )
      expect(result.stdout).not.toContain('created admin')
    } finally {
      blocker.close()
    }
  })
})
