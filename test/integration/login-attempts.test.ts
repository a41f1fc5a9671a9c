import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LOGIN_LIMITS, loginRetryAfterMs, purgeExpiredLoginAttempts, recordLoginAttempt } from '../../src/agents/login-rate-limit.ts'
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

    it('purges attempts of keys never tried again once they are out of the window, and keeps the window', async () => {
      const at = (minutes: number) => new Date(Date.parse('2026-11-25T10:00:00.000Z') + minutes * 60_000)
      // A spray: a different account from a different address each minute, each tried once, 10:00 to 10:29.
      for (let i = 0; i < 30; i++) await recordLoginAttempt(store.db, { account: `user${i}@okpay.com`, address: `198.51.100.${i}` }, false, at(i))
      expect(await purgeExpiredLoginAttempts(store.db, at(30))).toBe(2 * 16) // 10:00 to 10:15 are 15 minutes old or more
      const left = await store.db.selectFrom('login_attempts').select('attempted_at').orderBy('attempted_at').execute()
      expect(left).toHaveLength(2 * 14)
      expect(left[0]?.attempted_at).toBe('2026-11-25T10:16:00.000Z')
      expect(await purgeExpiredLoginAttempts(store.db, at(30))).toBe(0)
    })
  })
}
