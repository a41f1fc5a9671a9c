import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { purgeRawMessageFiles } from '../../src/intake/raw-message.repository.ts'
import type { Store } from '../../src/store/database.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: retention of raw message files`, () => {
    let store: Store
    beforeEach(async () => {
      store = await createTestDatabase(dialect)
    })
    afterEach(async () => {
      await store.destroy()
    })

    it('forgets the files of messages processed before the cut-off and returns their names, keeping the rest', async () => {
      const row = (name: string, status: 'processed' | 'duplicate' | 'pending', processedAt: string | null) => ({
        source: 'smtp',
        received_at: '2026-01-01T00:00:00.000Z',
        mail_from: null,
        rcpt_to: '[]',
        remote_address: null,
        size_bytes: 2_000_000,
        sha256: 'a'.repeat(64),
        raw: null,
        raw_file: name,
        encryption: 'aes-256-gcm-stream-v1',
        status,
        processed_at: processedAt,
        locked_until: null,
        error_code: null,
        error_message: null,
        message_id: null,
      })
      await store.db
        .insertInto('raw_messages')
        .values([
          row('aaaaaaaaaaaaaaaaaaaaaaaa.raw', 'processed', '2026-01-02T00:00:00.000Z'),
          row('bbbbbbbbbbbbbbbbbbbbbbbb.raw', 'duplicate', '2026-01-03T00:00:00.000Z'),
          row('cccccccccccccccccccccccc.raw', 'processed', '2026-03-01T00:00:00.000Z'),
          row('dddddddddddddddddddddddd.raw', 'pending', null),
        ])
        .execute()
      const names = await purgeRawMessageFiles(store.db, new Date('2026-02-01T00:00:00.000Z'))
      expect(names.sort()).toEqual(['aaaaaaaaaaaaaaaaaaaaaaaa.raw', 'bbbbbbbbbbbbbbbbbbbbbbbb.raw'])
      const left = await store.db.selectFrom('raw_messages').select('raw_file').orderBy('id').execute()
      expect(left.map((r) => r.raw_file)).toEqual([null, null, 'cccccccccccccccccccccccc.raw', 'dddddddddddddddddddddddd.raw'])
      expect(await purgeRawMessageFiles(store.db, new Date('2026-02-01T00:00:00.000Z'))).toEqual([])
    })
  })
}
