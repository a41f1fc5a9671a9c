import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.ts'
import { silentLogger } from '../../src/logger.ts'
import { openRuntime } from '../../src/runtime.ts'
import { tempDir, testConfig } from '../helpers/fixtures.ts'

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err }
}

const GOOD = Buffer.from('From: a@example.com\r\nTo: support@okpay.com\r\nSubject: Refund\r\nMessage-ID: <r1@example.com>\r\n\r\nWhere is my refund?\r\n')
const NOT_AN_EMAIL = Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x10])

/** A data directory holding raw message 1 (processed) and raw message 2 (failed: NOT_AN_EMAIL). */
async function dataDirWithAFailure(): Promise<string> {
  const dataDir = tempDir()
  const runtime = await openRuntime(testConfig({ MAILDESK_DATA_DIR: dataDir }), silentLogger)
  try {
    await runtime.spool.spool({ raw: GOOD, source: 'api' })
    await runtime.spool.spool({ raw: NOT_AN_EMAIL, source: 'api' })
    await runtime.worker.runUntilIdle()
  } finally {
    await runtime.close()
  }
  return dataDir
}

async function reprocess(dataDir: string, ...ids: string[]) {
  const c = capture()
  const code = await main(['reprocess', '--data-dir', dataDir, ...ids], { MAILDESK_LOG_LEVEL: 'silent' }, c.io)
  return { code, out: c.out, err: c.err }
}

describe('maildesk reprocess', () => {
  it('without ids leaves bytes that are not an email alone: they would fail the same way again', async () => {
    const dataDir = await dataDirWithAFailure()
    expect(await reprocess(dataDir)).toEqual({ code: 0, out: ['requeued 0; processed 0; failed 0'], err: [] })
  })

  it('with an id tries that message again, and says why it failed again', async () => {
    const dataDir = await dataDirWithAFailure()
    const result = await reprocess(dataDir, '2')
    expect(result.code).toBe(1)
    expect(result.out).toEqual(['requeued 1; processed 0; failed 1'])
    expect(result.err).toEqual([expect.stringMatching(/^raw message 2: NOT_AN_EMAIL: /)])
  })

  it('names every id it did nothing with, and why', async () => {
    const dataDir = await dataDirWithAFailure()
    expect(await reprocess(dataDir, '1', '999')).toEqual({
      code: 1,
      out: ['requeued 0; processed 0; failed 0'],
      err: ['raw message 1: not requeued, its status is processed (only failed messages are)', 'raw message 999: no such message'],
    })
    expect(await reprocess(dataDir, '1')).toMatchObject({ code: 0 })
  })

  it('takes ids as plain digits only', async () => {
    const dataDir = tempDir()
    expect(await reprocess(dataDir, '0x1', '1e3', '0')).toEqual({
      code: 2,
      out: [],
      err: ['maildesk reprocess: raw message ids are positive whole numbers (got "0x1", "1e3", "0")'],
    })
  })
})
