import { describe, expect, it } from 'vitest'
import { generateVerificationCode, maskEmailAddress, normalizeVerificationCode } from './verification-code.ts'

describe('verification codes', () => {
  it('look like XXXX-XXXX without I, L, O or U', () => {
    for (let i = 0; i < 200; i++) expect(generateVerificationCode()).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/)
  })

  const typed: Array<[string, string | undefined]> = [
    ['7KQM-4XPT', '7KQM-4XPT'],
    ['7kqm-4xpt', '7KQM-4XPT'],
    [' 7KQM 4XPT ', '7KQM-4XPT'],
    ['7KQM4XPT', '7KQM-4XPT'],
    ['7KQM-4XPO', '7KQM-4XP0'], // O typed for zero
    ['7KQM-IXPL', '7KQM-1XP1'], // I and L typed for one
    ['7KQM-4XP', undefined],
    ['7KQM-4XPTT', undefined],
    ['7KQM-4XPU', undefined],
    ['<script>', undefined],
  ]
  for (const [input, expected] of typed) {
    it(`reads "${input}" as ${expected ?? 'no code'}`, () => {
      expect(normalizeVerificationCode(input)).toBe(expected)
    })
  }
})

describe('maskEmailAddress', () => {
  it('keeps the first letter and the domain', () => {
    expect(maskEmailAddress('jane.doe@example.com')).toBe('j***@example.com')
    expect(maskEmailAddress('Li@Example.CN')).toBe('L***@example.cn')
    expect(maskEmailAddress('not-an-address')).toBe('***')
  })
})
