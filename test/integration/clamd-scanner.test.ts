import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClamdScanner } from '../../src/attachments/clamd-scanner.ts'
import { findFreePort } from '../helpers/free-port.ts'
import { EICAR, HASH_SIGNED_FILE, MARKER, SIGNATURES, startClamd, type ClamdProcess } from '../helpers/clamd.ts'

describe('clamd INSTREAM scanning against a real clamd', () => {
  let clamd: ClamdProcess
  beforeAll(async () => {
    clamd = await startClamd({ streamMaxLength: '1M' })
  }, 90_000)
  afterAll(async () => {
    await clamd?.stop()
  })

  it('reports a clean file as clean', async () => {
    const scanner = createClamdScanner(clamd.address)
    expect(await scanner.scan(Buffer.from('Hello, my payment 123 did not arrive.\n'))).toEqual({ status: 'clean' })
  })

  it('finds the EICAR test string through a hex body signature', async () => {
    const scanner = createClamdScanner(clamd.address)
    expect(await scanner.scan(Buffer.from(EICAR))).toEqual({ status: 'infected', signature: `${SIGNATURES.eicar}.UNOFFICIAL` })
  })

  it('finds a file by its MD5 hash signature', async () => {
    const scanner = createClamdScanner(clamd.address)
    expect(await scanner.scan(HASH_SIGNED_FILE)).toEqual({ status: 'infected', signature: `${SIGNATURES.hashed}.UNOFFICIAL` })
  })

  it('finds a marker that straddles two INSTREAM chunks', async () => {
    const scanner = createClamdScanner(clamd.address, { chunkBytes: 1000 })
    const bytes = Buffer.concat([Buffer.alloc(990, 0x41), Buffer.from(MARKER), Buffer.alloc(5000, 0x42)])
    expect(await scanner.scan(bytes)).toEqual({ status: 'infected', signature: `${SIGNATURES.marker}.UNOFFICIAL` })
  })

  it('does not send a file above StreamMaxLength and says why', async () => {
    const scanner = createClamdScanner(clamd.address, { streamMaxBytes: 1024 * 1024 })
    const result = await scanner.scan(Buffer.alloc(1024 * 1024 + 1))
    expect(result.status).toBe('error')
    expect(result.error).toContain('StreamMaxLength')
  })

  it("reports clamd's own size-limit refusal as an error, never as clean", async () => {
    const scanner = createClamdScanner(clamd.address, { streamMaxBytes: 4 * 1024 * 1024 })
    const result = await scanner.scan(Buffer.alloc(2 * 1024 * 1024, 0x43))
    expect(result.status).toBe('error')
    // clamd answers and closes at once: its reply, or, when the close reaches the socket first (it then takes the
    // reply with it), the close, named as such.
    expect(result.error).toMatch(
      /^(INSTREAM size limit exceeded\.|clamd closed the connection after \d+ bytes of the request \((EPIPE|ECONNRESET)\), as it does for a stream above its StreamMaxLength)$/,
    )
  })

  it('reports an unreachable clamd as a retryable error', async () => {
    const scanner = createClamdScanner(`tcp://127.0.0.1:${await findFreePort()}`, { timeoutMs: 2000 })
    const result = await scanner.scan(Buffer.from('x'))
    expect(result.status).toBe('error')
    expect(result.error).toMatch(/ECONNREFUSED/)
  })
})
