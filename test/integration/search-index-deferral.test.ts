import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Db, Store } from '../../src/store/database.ts'
import { indexNewMessagesAtEnd } from '../../src/store/search-index-deferral.ts'
import { searchTickets } from '../../src/tickets/ticket-search.repository.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

async function insertTicket(db: Db, subject: string): Promise<number> {
  const at = '2026-11-02T01:00:00.000Z'
  const customer = await db
    .insertInto('customers')
    .values({ email: `${subject.length}-${Math.random()}@customer.example`, display_name: null, language: null, created_at: at, updated_at: at })
    .returning('id')
    .executeTakeFirstOrThrow()
  const ticket = await db
    .insertInto('tickets')
    .values({ subject, channel: 'email', customer_id: customer.id, created_at: at, updated_at: at, last_message_at: at })
    .returning('id')
    .executeTakeFirstOrThrow()
  return ticket.id
}

async function insertMessage(db: Db, ticketId: number, subject: string, text: string | null): Promise<number> {
  const at = '2026-11-02T01:00:00.000Z'
  const row = await db
    .insertInto('ticket_messages')
    .values({ ticket_id: ticketId, raw_message_id: null, direction: 'inbound', message_id_header: null, in_reply_to: null, from_address: null, from_name: null, subject, sent_at: null, received_at: at, text_body: text, html_body: null, created_at: at, verdicts: null, findings: null, fields: null, language: null, body_sha256: null, agent_id: null })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/**
 * Messages written before and inside a batch, changed and deleted inside it: what search finds afterwards, and on
 * SQLite every term occurrence in both indexes (fts5vocab), must not depend on whether the batch deferred indexing.
 */
async function runScenario(store: Store, deferred: boolean) {
  const db = store.db
  const ticketId = await insertTicket(db, 'Refund missing')
  const before = await insertMessage(db, ticketId, 'Refund missing', '我的退款没有到账 reference REF-OLD-1')
  await db.transaction().execute(async (trx) => {
    const batch = async () => {
      await insertMessage(trx, ticketId, 'Re: Refund missing', '提现失败 withdrawal declined WD-NEW-2')
      const edited = await insertMessage(trx, ticketId, 'Draft subject', 'a body that is replaced')
      const dropped = await insertMessage(trx, ticketId, 'Dropped', '删除的邮件 deleted-message-3')
      await insertMessage(trx, ticketId, 'No text', null)
      await trx.updateTable('ticket_messages').set({ subject: 'Edited subject', text_body: '银行卡冻结 card frozen CARD-4' }).where('id', '=', edited).execute()
      await trx.updateTable('ticket_messages').set({ text_body: '我的退款已经到账 reference REF-NEW-1' }).where('id', '=', before).execute()
      await trx.deleteFrom('ticket_messages').where('id', '=', dropped).execute()
    }
    if (deferred) await indexNewMessagesAtEnd(trx, store.dialect, batch)
    else await batch()
  })
  const found: Record<string, number> = {}
  for (const term of ['REF-OLD-1', 'REF-NEW-1', 'WD-NEW-2', 'replaced', 'Draft', 'Edited subject', 'CARD-4', 'deleted-message-3', '到账', '提现', '冻结', '删除', 'No text']) {
    found[term] = (await searchTickets(store, { text: `"${term}"`, limit: 10, offset: 0 })).total
  }
  if (store.dialect !== 'sqlite') return { found }
  const vocab: Record<string, unknown[]> = {}
  for (const table of ['message_search', 'message_search_cjk']) {
    await sql.raw(`create virtual table temp.${table}_vocab using fts5vocab(main, '${table}', 'instance')`).execute(db)
    const { rows } = await sql.raw(`select term, doc, col, offset from temp.${table}_vocab order by term, doc, col, offset`).execute(db)
    vocab[table] = rows
  }
  return { found, vocab }
}

for (const dialect of testDialects()) {
  describe(`${dialect}: a batch's messages indexed for search at its end`, () => {
    let plain: Store
    let deferred: Store
    beforeEach(async () => {
      plain = await createTestDatabase(dialect)
      deferred = await createTestDatabase(dialect)
    })
    afterEach(async () => {
      await plain.destroy()
      await deferred.destroy()
    })

    it('finds what indexing message by message finds, and the indexes hold the same terms', async () => {
      const expected = await runScenario(plain, false)
      const actual = await runScenario(deferred, true)
      expect(expected.found).toEqual({
        'REF-OLD-1': 0,
        'REF-NEW-1': 1,
        'WD-NEW-2': 1,
        replaced: 0,
        Draft: 0,
        'Edited subject': 1,
        'CARD-4': 1,
        'deleted-message-3': 0,
        到账: 1,
        提现: 1,
        冻结: 1,
        删除: 0,
        'No text': 1,
      })
      expect(actual.found).toEqual(expected.found)
      if (dialect === 'sqlite') {
        expect(expected.vocab?.message_search?.length).toBeGreaterThan(100)
        expect(actual.vocab).toEqual(expected.vocab)
      }
    })

    it('after a failed batch, messages are indexed as they are inserted again', async () => {
      const ticketId = await insertTicket(deferred.db, 'Refund missing')
      const failed = deferred.db.transaction().execute((trx) =>
        indexNewMessagesAtEnd(trx, dialect, async () => {
          await insertMessage(trx, ticketId, 'Lost', 'rolled-back-5')
          throw new Error('the batch fails')
        }),
      )
      await expect(failed).rejects.toThrow('the batch fails')
      await insertMessage(deferred.db, ticketId, 'Kept', 'stored-alone-6')
      const total = async (term: string) => (await searchTickets(deferred, { text: term, limit: 10, offset: 0 })).total
      expect([await total('rolled-back-5'), await total('stored-alone-6')]).toEqual([0, 1])
    })

    if (dialect === 'sqlite') {
      it('a deferral left open outside a transaction defers nothing', async () => {
        const ticketId = await insertTicket(deferred.db, 'Refund missing')
        await sql`select maildesk_search_index_deferral(1)`.execute(deferred.db)
        await insertMessage(deferred.db, ticketId, 'Autocommit', 'indexed-at-once-7')
        await deferred.db.transaction().execute((trx) => insertMessage(trx, ticketId, 'In a transaction', 'indexed-at-once-8'))
        const total = async (term: string) => (await searchTickets(deferred, { text: term, limit: 10, offset: 0 })).total
        expect([await total('indexed-at-once-7'), await total('indexed-at-once-8')]).toEqual([1, 1])
      })
    }
  })
}
