import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { claimRawMessages, holdRawMessageClaim } from '../../src/intake/raw-message.repository.ts'
import { RawMessageSpool } from '../../src/intake/raw-message-spool.ts'
import type { Store } from '../../src/store/database.ts'
import { buildEmail } from '../helpers/fixtures.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: a claim taken over after its lease`, () => {
    let store: Store
    beforeEach(async () => {
      store = await createTestDatabase(dialect)
    })
    afterEach(async () => {
      await store.destroy()
    })

    it('holds for the worker that claimed last and no longer for the one whose lease ran out', async () => {
      const id = await new RawMessageSpool(store.db).spool({ raw: buildEmail({}), source: 'smtp' })
      const claim = (at: string) => claimRawMessages(store.db, { dialect, now: new Date(at), leaseMs: 1000, maxCount: 10, maxTotalBytes: 1 << 20 })
      const [first] = await claim('2026-11-02T01:00:00Z')
      expect(await claim('2026-11-02T01:00:00.500Z')).toEqual([])
      const [second] = await claim('2026-11-02T01:00:01.001Z')
      expect([first?.id, first?.attempts, second?.id, second?.attempts]).toEqual([id, 1, id, 2])
      if (!first || !second) throw new Error('not claimed')
      expect(await holdRawMessageClaim(store.db, first)).toBe(false)
      expect(await holdRawMessageClaim(store.db, second)).toBe(true)
    })
  })
}
