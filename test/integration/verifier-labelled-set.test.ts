import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { verifyEmail } from '../../src/verifier/verify-email.ts'
import { verifyIdentifier } from '../../src/verifier/verify-identifier.ts'
import {
  emptyConfusion,
  loadLabelledEmails,
  loadLabelledIdentifiers,
  scoreConfusion,
  verifyLabelledEmail,
} from '../fixtures/verifier/labelled-set.ts'

const brand = loadConfig({}).brand

describe('verifier on the labelled set', () => {
  it('classifies at least 200 identifiers with ≥ 97% accuracy and never confuses official with anything else', () => {
    const rows = loadLabelledIdentifiers()
    expect(rows.length).toBeGreaterThanOrEqual(200)
    const m = emptyConfusion()
    const misses: string[] = []
    for (const row of rows) {
      const got = verifyIdentifier(row.input, { brand, language: 'en' }).verdict
      m[row.verdict][got]++
      if (got !== row.verdict) misses.push(`${row.input}: ${row.verdict} → ${got}`)
    }
    const score = scoreConfusion(m)
    expect(score.officialConfusions, misses.join('\n')).toBe(0)
    expect(score.accuracy, misses.join('\n')).toBeGreaterThanOrEqual(0.97)
  })

  it('classifies at least 50 emails (checked against the fixture DNS zone) with ≥ 97% accuracy', async () => {
    const emails = loadLabelledEmails()
    expect(emails.length).toBeGreaterThanOrEqual(50)
    const m = emptyConfusion()
    const misses: string[] = []
    for (const e of emails) {
      const got = (await verifyLabelledEmail(brand, e.raw)).verdict
      m[e.verdict][got]++
      if (got !== e.verdict) misses.push(`${e.file}: ${e.verdict} → ${got}`)
    }
    const score = scoreConfusion(m)
    expect(score.officialConfusions, misses.join('\n')).toBe(0)
    expect(score.accuracy, misses.join('\n')).toBeGreaterThanOrEqual(0.97)
  })

  it('never calls an email official without an authentication result (--no-dns)', async () => {
    for (const e of loadLabelledEmails()) {
      const r = await verifyEmail(e.raw, { brand, language: 'zh-CN' })
      expect(r.verdict, e.file).not.toBe('official')
    }
  })
})
