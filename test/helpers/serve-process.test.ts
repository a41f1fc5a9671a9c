import { describe, expect, it } from 'vitest'
import { tempDir } from './fixtures.ts'
import { startServeProcess } from './serve-process.ts'

describe('startServeProcess', () => {
  it('kills a server that never prints what the test waits for, and fails with its output', async () => {
    const start = startServeProcess({ dataDir: tempDir(), waitFor: /a line maildesk never prints/, timeoutMs: 8000, env: { MAILDESK_LOG_LEVEL: 'info' } })
    const error = await start.then(
      () => undefined,
      (err: Error) => err,
    )
    expect(error?.message).toMatch(/^maildesk serve did not start \(or did not print \/a line maildesk never prints\/\):\n/)
    // Its output is in the message: the listening line it did print.
    expect(error?.message).toMatch(/maildesk listening http=http:\/\/127\.0\.0\.1:\d+ smtp=127\.0\.0\.1:\d+ role=all/)
    const pid = Number(/"pid":(\d+)/.exec(error?.message ?? '')?.[1])
    expect(pid).toBeGreaterThan(0)
    // Gone, not left running after the test: signal 0 only asks whether the process exists.
    await expect.poll(() => isRunning(pid), { timeout: 5000 }).toBe(false)
  }, 20_000)
})

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
