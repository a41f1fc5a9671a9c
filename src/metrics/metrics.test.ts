import { describe, expect, it } from 'vitest'
import { createTestDatabase } from '../../test/helpers/test-database.ts'
import type { Db } from '../store/database.ts'
import { createMetrics } from './metrics.ts'

describe('createMetrics().render', () => {
  it('answers scrapes that arrive during a render with that render, and queries afresh once it is done', async () => {
    const store = await createTestDatabase('sqlite')
    try {
      let queries = 0
      const db = new Proxy(store.db, {
        get(target, key, receiver) {
          if (key === 'selectFrom') queries++
          const value = Reflect.get(target, key, receiver) as unknown
          return typeof value === 'function' ? value.bind(target) : value
        },
      }) as Db
      const metrics = createMetrics()
      const now = new Date('2026-11-26T02:00:00Z')
      const [a, b, c] = await Promise.all([metrics.render(db, now), metrics.render(db, now), metrics.render(db, now)])
      const perRender = queries
      expect(perRender).toBe(4)
      expect(b).toBe(a)
      expect(c).toBe(a)
      expect(a).toContain('maildesk_queue_depth 0')
      await metrics.render(db, now)
      expect(queries).toBe(2 * perRender)
    } finally {
      await store.destroy()
    }
  })
})
