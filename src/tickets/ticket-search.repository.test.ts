import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../store/database.ts'
import { createTestDatabase, testDialects } from '../../test/helpers/test-database.ts'
import { searchTickets, trigramQuery } from './ticket-search.repository.ts'

describe('trigramQuery', () => {
  it('asks for every distinct trigram of the term, each quoted', () => {
    expect(trigramQuery('refund')).toBe('"ref" AND "efu" AND "fun" AND "und"')
    expect(trigramQuery('aaaa')).toBe('"aaa"')
    expect(trigramQuery('退款还没有')).toBe('"退款还" AND "款还没" AND "还没有"')
    expect(trigramQuery('a "b" c')).toBe('"a """ AND " ""b" AND """b""" AND "b"" " AND """ c"')
  })
})

const AT = '2026-11-02T01:00:00.000Z'

for (const dialect of testDialects()) {
  describe(`${dialect}: searching message text`, () => {
    let store: Store
    beforeEach(async () => {
      store = await createTestDatabase(dialect)
      const texts: Array<[string, string | null]> = [
        ['Payment failed', 'My payment to the merchant failed twice.'],
        ['Scrambled', 'A bandana for my nan: every trigram of another word, not the word'],
        ['Fruit', 'Banana split refund'],
        ['Ошибка', 'Ошибка ПЛАТЕЖА по карте'],
        ['退款申请', '我的订单 TX20261125 退款还没有到账'],
        ['Subject only', null],
      ]
      for (const [i, [subject, text]] of texts.entries()) {
        const customer = await store.db
          .insertInto('customers')
          .values({ email: `c${i}@customer.example`, display_name: null, language: null, created_at: AT, updated_at: AT })
          .returning('id')
          .executeTakeFirstOrThrow()
        const ticket = await store.db
          .insertInto('tickets')
          .values({ subject, channel: 'email', customer_id: customer.id, created_at: AT, updated_at: AT, last_message_at: AT })
          .returning('id')
          .executeTakeFirstOrThrow()
        await store.db
          .insertInto('ticket_messages')
          .values({ ticket_id: ticket.id, raw_message_id: null, direction: 'inbound', message_id_header: null, in_reply_to: null, from_address: null, from_name: null, subject, sent_at: null, received_at: AT, text_body: text, html_body: null, created_at: AT, verdicts: null, findings: null, fields: null, language: null, body_sha256: null, agent_id: null })
          .execute()
      }
    })
    afterEach(async () => {
      await store.destroy()
    })

    const subjects = async (text: string) => (await searchTickets(store, { text, limit: 10, offset: 0 })).rows.map((r) => r.subject).sort()

    it('finds a term anywhere in a word, in the subject or the body, whatever its letter case', async () => {
      expect(await subjects('ayme')).toEqual(['Payment failed'])
      expect(await subjects('PAYMENT')).toEqual(['Payment failed'])
      expect(await subjects('"merchant failed"')).toEqual(['Payment failed'])
      expect(await subjects('платежа')).toEqual(['Ошибка'])
      expect(await subjects('tx2026')).toEqual(['退款申请'])
      expect(await subjects('退款还没有')).toEqual(['退款申请'])
      expect(await subjects('"subject only"')).toEqual(['Subject only'])
      expect(await subjects('refund')).toEqual(['Fruit'])
      // FTS5 query syntax in a term is text to look for, not syntax.
      expect(await subjects('pay"ment')).toEqual([])
      expect(await subjects('refund*')).toEqual([])
    })

    it('does not mistake a message holding every trigram of a term for one holding the term', async () => {
      // "bandana" and "nan" hold "ban", "ana" and "nan", all of banana's trigrams, but not "banana".
      expect(await subjects('banana')).toEqual(['Fruit'])
      expect(await subjects('"split refund"')).toEqual(['Fruit'])
      expect(await subjects('"refund split"')).toEqual([])
    })
  })
}
