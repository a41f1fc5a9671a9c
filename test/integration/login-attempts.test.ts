import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LOGIN_LIMITS, loginRetryAfterMs, recordLoginAttempt } from '../../src/agents/login-rate-limit.ts'
import type { Store } from '../../src/store/database.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: login attempts`, () => {
    let store: Store
    beforeEach(async () => {
      store = await createTestDatabase(dialect)
    })
    afterEach(async () => {
      await store.destroy()
    })

    it('keeps at most one window of attempts per key, however often an address or account is tried', async () => {
      const keys = { account: 'li.wei@okpay.com', address: '203.0.113.7' }
      const start = Date.parse('2026-11-25T10:00:00.000Z')
      // One failure every 5 minutes from 10:00 to 12:55: 36 attempts.
      for (let i = 0; i < 36; i++) await recordLoginAttempt(store.db, keys, false, new Date(start + i * 5 * 60_000))
      const rows = await store.db.selectFrom('login_attempts').select(['key', 'attempted_at']).orderBy('id').execute()
      // The last attempt is at 12:55; the window keeps 12:45, 12:50 and 12:55, once for the account, once for the address.
      expect(rows.map((r) => `${r.key} ${r.attempted_at}`)).toEqual(
        ['12:45', '12:50', '12:55'].flatMap((t) => [`account:li.wei@okpay.com 2026-11-25T${t}:00.000Z`, `address:203.0.113.7 2026-11-25T${t}:00.000Z`]),
      )
      expect(LOGIN_LIMITS.windowMs).toBe(15 * 60_000)
      // The limit still counts what is inside the window: 3 failures, under the per-account limit of 5.
      expect(await loginRetryAfterMs(store.db, keys, new Date(start + 35 * 5 * 60_000))).toBe(0)
    })
  })
}
