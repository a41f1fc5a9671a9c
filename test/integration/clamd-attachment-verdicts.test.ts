import { createHash } from 'node:crypto'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { findAttachmentVerdict, recordAttachmentInspection } from '../../src/attachments/attachment-verdict.repository.ts'
import { createClamdScanner } from '../../src/attachments/clamd-scanner.ts'
import { inspectAttachment, isServableToAgents } from '../../src/attachments/inspect-attachment.ts'
import { retryPendingScans } from '../../src/attachments/retry-attachment-scans.ts'
import { silentLogger } from '../../src/logger.ts'
import type { Store } from '../../src/store/database.ts'
import { EICAR, SIGNATURES, startClamd, type ClamdProcess } from '../helpers/clamd.ts'
import { findFreePort } from '../helpers/free-port.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const now = new Date('2026-11-25T10:00:00.000Z')

describe('attachment inspection with a real clamd', () => {
  let clamd: ClamdProcess
  beforeAll(async () => {
    clamd = await startClamd()
  }, 90_000)
  afterAll(async () => {
    await clamd?.stop()
  })

  it('lets a clean screenshot through after scanning it', async () => {
    const result = await inspectAttachment({ filename: 'shot.png', declaredType: 'image/png', bytes: PNG }, createClamdScanner(clamd.address))
    expect(result).toEqual({ detectedType: 'image/png', verdict: 'ok', scan: { status: 'clean' } })
  })

  it('quarantines a file clamd finds infected, naming the signature', async () => {
    const result = await inspectAttachment({ filename: 'note.txt', declaredType: 'text/plain', bytes: Buffer.from(EICAR) }, createClamdScanner(clamd.address))
    expect(result).toEqual({
      detectedType: 'text/plain',
      verdict: 'quarantine',
      reason: 'infected',
      scan: { status: 'infected', signature: `${SIGNATURES.eicar}.UNOFFICIAL` },
    })
    expect(isServableToAgents(result.verdict)).toBe(false)
  })

  it('does not send a file the policy already quarantined to clamd', async () => {
    const result = await inspectAttachment({ filename: 'run.ps1', declaredType: 'text/plain', bytes: Buffer.from('x') }, createClamdScanner(clamd.address))
    expect(result).toEqual({ detectedType: 'text/plain', verdict: 'quarantine', reason: 'dangerous_extension' })
  })

  for (const dialect of testDialects()) {
    describe(dialect, () => {
      let store: Store
      beforeEach(async () => {
        store = await createTestDatabase(dialect)
      })
      afterEach(async () => {
        await store.destroy()
      })

      it('holds a file as scan_pending while clamd is down, then settles it on retry', async () => {
        const down = createClamdScanner(`tcp://127.0.0.1:${await findFreePort()}`, { timeoutMs: 1000 })
        const files = { png: PNG, eicar: Buffer.from(EICAR) }
        for (const [name, bytes] of Object.entries(files)) {
          const inspection = await inspectAttachment({ filename: `${name}.bin`, declaredType: 'application/octet-stream', bytes }, down)
          expect(inspection.verdict).toBe('scan_pending')
          await recordAttachmentInspection(store.db, sha(bytes), inspection, { now, retryDelayMs: 60_000 })
        }
        const pending = await findAttachmentVerdict(store.db, sha(PNG))
        expect(pending).toMatchObject({ verdict: 'scan_pending', scan_status: 'error', scan_attempts: 1, next_scan_at: '2026-11-25T10:01:00.000Z' })
        expect(pending?.scan_error).toMatch(/ECONNREFUSED/)

        const byDigest = new Map(Object.values(files).map((b) => [sha(b), b]))
        const readBytes = async (digest: string) => byDigest.get(digest)
        // Not due yet: nothing happens.
        expect(await retryPendingScans({ db: store.db, scanner: down, readBytes, log: silentLogger, now })).toEqual({ clean: 0, infected: 0, stillPending: 0 })
        // Due, clamd still down: tried, and the next try waits twice as long.
        const later = new Date(now.getTime() + 60_000)
        expect(await retryPendingScans({ db: store.db, scanner: down, readBytes, log: silentLogger, now: later })).toEqual({ clean: 0, infected: 0, stillPending: 2 })
        expect(await findAttachmentVerdict(store.db, sha(PNG))).toMatchObject({ scan_attempts: 2, next_scan_at: '2026-11-25T10:03:00.000Z' })
        // clamd is back.
        const up = createClamdScanner(clamd.address)
        const muchLater = new Date(now.getTime() + 10 * 60_000)
        expect(await retryPendingScans({ db: store.db, scanner: up, readBytes, log: silentLogger, now: muchLater })).toEqual({ clean: 1, infected: 1, stillPending: 0 })
        expect(await findAttachmentVerdict(store.db, sha(PNG))).toMatchObject({ verdict: 'ok', scan_status: 'clean', scan_attempts: 3, next_scan_at: null })
        expect(await findAttachmentVerdict(store.db, sha(Buffer.from(EICAR)))).toMatchObject({
          verdict: 'quarantine',
          reason: 'infected',
          scan_status: 'infected',
          scan_signature: `${SIGNATURES.eicar}.UNOFFICIAL`,
        })
      })
    })
  }
})
