import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../../src/store/database.ts'
import { listRecentOpenTicketsOfCustomer } from '../../src/tickets/ticket.repository.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: a customer's recent open tickets (threading by subject)`, () => {
    let store: Store
    beforeEach(async () => {
      store = await createTestDatabase(dialect)
    })
    afterEach(async () => {
      await store.destroy()
    })

    it('lists open, unmerged tickets active since the window start, newest first and the older ticket first on a tie', async () => {
      const db = store.db
      const at = '2026-11-01T00:00:00.000Z'
      const insertCustomer = (email: string) =>
        db.insertInto('customers').values({ email, display_name: null, language: null, created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow()
      const customer = await insertCustomer('robot@customer.example')
      const other = await insertCustomer('someone@customer.example')
      // Ticket n: day 1 + n % 4 (so four tickets share each day), a few closed or merged, one of another customer.
      const ids: number[] = []
      for (let n = 0; n < 30; n++) {
        const lastMessageAt = `2026-11-0${1 + (n % 4)}T08:00:00.000Z`
        const row = await db
          .insertInto('tickets')
          .values({
            subject: `Notification ${n}`,
            channel: 'email',
            customer_id: n === 29 ? other.id : customer.id,
            status: n === 27 ? 'closed' : n === 23 ? 'solved' : 'open',
            merged_into_ticket_id: null,
            created_at: at,
            updated_at: at,
            last_message_at: lastMessageAt,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        ids.push(row.id)
      }
      await db.updateTable('tickets').set({ merged_into_ticket_id: ids[0] }).where('id', '=', ids[19] as number).execute()
      const listed = await listRecentOpenTicketsOfCustomer(db, customer.id, new Date('2026-11-02T00:00:00Z'), 10)
      // Day 4: 3 7 11 15 19(merged) 23(solved, still open for threading) 27(closed); day 3: 2 6 10 14 18 22 26, of
      // which the limit keeps the five oldest tickets; day 2 and older are not listed.
      expect(listed.map((t) => ids.indexOf(t.id))).toEqual([3, 7, 11, 15, 23, 2, 6, 10, 14, 18])
    })
  })
}
