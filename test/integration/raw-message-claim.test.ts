import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { claimRawMessages, holdRawMessageClaims, renewRawMessageClaims } from '../../src/intake/raw-message.repository.ts'
import { RawMessageSpool } from '../../src/intake/raw-message-spool.ts'
import type { Store } from '../../src/store/database.ts'
import { buildEmail } from '../helpers/fixtures.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'
import { createTestRuntime } from '../helpers/runtime.ts'
import { createZoneResolver } from '../../src/pipeline/authenticate-sender.ts'
import type { Runtime } from '../../src/runtime.ts'

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
      const claim = (at: string) => claimRawMessages(store, { now: new Date(at), leaseMs: 1000, maxCount: 10, maxTotalBytes: 1 << 20 })
      const [first] = await claim('2026-11-02T01:00:00Z')
      expect(await claim('2026-11-02T01:00:00.500Z')).toEqual([])
      const [second] = await claim('2026-11-02T01:00:01.001Z')
      expect([first?.id, first?.attempts, second?.id, second?.attempts]).toEqual([id, 1, id, 2])
      if (!first || !second) throw new Error('not claimed')
      expect(await holdRawMessageClaims(store.db, [first])).toEqual(new Set())
      expect(await holdRawMessageClaims(store.db, [second])).toEqual(new Set([id]))
      // In one statement for a batch: only the claims still held come back.
      const other = await new RawMessageSpool(store.db).spool({ raw: buildEmail({ messageId: '<other@customer.example>' }), source: 'smtp' })
      const [third] = await claim('2026-11-02T01:00:01.500Z')
      if (!third) throw new Error('not claimed')
      expect(third.id).toBe(other)
      expect(await holdRawMessageClaims(store.db, [first, second, third])).toEqual(new Set([id, other]))
    })

    it('a worker whose lease ran out mid-batch stores nothing and leaves the message to the worker that took it over', async () => {
      const t0 = new Date('2026-11-02T01:00:00Z')
      const zone = createZoneResolver({})
      let takeover: Promise<unknown> | undefined
      const rt: Runtime = await createTestRuntime(dialect, undefined, {
        worker: { now: () => t0, leaseMs: 1000 },
        // While this worker authenticates the message, another one claims it: this worker's lease has run out by then.
        resolver: async (name, type) => {
          takeover ??= claimRawMessages(rt.store, { now: new Date(t0.getTime() + 2000), leaseMs: 60_000, maxCount: 10, maxTotalBytes: 1 << 20 })
          await takeover
          return zone(name, type)
        },
      })
      try {
        const id = await rt.spool.spool({ raw: buildEmail({}), source: 'smtp', rcptTo: ['support@okpay.com'] })
        expect(await rt.worker.runOnce()).toEqual([{ rawMessageId: id, ok: false, code: 'LEASE_LOST', message: 'another worker took this message over after the lease ran out' }])
        expect(await rt.store.db.selectFrom('tickets').select('id').execute()).toEqual([])
        const row = await rt.store.db.selectFrom('raw_messages').select(['status', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow()
        expect(row).toEqual({ status: 'processing', attempts: 2 })
      } finally {
        await rt.close()
      }
    })

    it('claims the oldest messages first, whether pending or taken over after their lease, up to the count and byte cap', async () => {
      const spool = new RawMessageSpool(store.db)
      const raw = buildEmail({})
      const ids: number[] = []
      for (let i = 0; i < 7; i++) ids.push(await spool.spool({ raw, source: 'smtp' }))
      const claim = (at: string, maxCount: number, maxTotalBytes: number) =>
        claimRawMessages(store, { now: new Date(at), leaseMs: 1000, maxCount, maxTotalBytes }).then((rows) =>
          rows.map((r) => [r.id - (ids[0] as number), r.attempts]),
        )
      // The first two are claimed by a worker that dies; a second worker claims the third.
      expect(await claim('2026-11-02T01:00:00Z', 2, 1 << 20)).toEqual([[0, 1], [1, 1]])
      expect(await claim('2026-11-02T01:00:00.500Z', 1, 1 << 20)).toEqual([[2, 1]])
      // At 1.2 s the first two leases have run out (the third's has not): they come before the pending ones.
      expect(await claim('2026-11-02T01:00:01.200Z', 3, 1 << 20)).toEqual([[0, 2], [1, 2], [3, 1]])
      // The byte cap stops the batch after two messages (a third pending one is left)...
      expect(await claim('2026-11-02T01:00:01.200Z', 10, 2 * raw.length)).toEqual([[4, 1], [5, 1]])
      // ...and the oldest is claimed even when it alone exceeds the cap.
      expect(await claim('2026-11-02T01:00:03Z', 10, 1)).toEqual([[0, 3]])
    })

    it('a renewed lease keeps a slow worker\'s claim; only the current claim can be renewed', async () => {
      const id = await new RawMessageSpool(store.db).spool({ raw: buildEmail({}), source: 'smtp' })
      const claim = (at: string) => claimRawMessages(store, { now: new Date(at), leaseMs: 1000, maxCount: 10, maxTotalBytes: 1 << 20 })
      const [first] = await claim('2026-11-02T01:00:00Z')
      if (!first) throw new Error('not claimed')
      // The heartbeat at 0.9 s pushes the lease to 1.9 s: a claim at 1.5 s finds nothing to take over.
      expect(await renewRawMessageClaims(store.db, [first], new Date('2026-11-02T01:00:01.900Z'))).toBe(1)
      expect(await claim('2026-11-02T01:00:01.500Z')).toEqual([])
      const [second] = await claim('2026-11-02T01:00:02Z')
      expect(second?.id).toBe(id)
      expect(await renewRawMessageClaims(store.db, [first], new Date('2026-11-02T01:00:05Z'))).toBe(0)
    })
  })
}
