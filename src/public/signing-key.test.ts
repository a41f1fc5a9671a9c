import { describe, expect, it } from 'vitest'
import { isValidSignature, sameSecret, signPayload } from './signing-key.ts'

describe('sameSecret', () => {
  it('is true only for the same text, whatever the lengths', () => {
    expect(sameSecret('scrape-3f9a1c7e5b2d4a68', 'scrape-3f9a1c7e5b2d4a68')).toBe(true)
    expect(sameSecret('scrape-3f9a1c7e5b2d4a68', 'scrape-3f9a1c7e5b2d4a69')).toBe(false)
    expect(sameSecret('scrape-3f9a1c7e5b2d4a68', 'scrape-3f9a1c7e5b2d4a68x')).toBe(false)
    expect(sameSecret('', 'scrape-3f9a1c7e5b2d4a68')).toBe(false)
    expect(sameSecret('', '')).toBe(true)
  })
})

describe('isValidSignature', () => {
  const key = Buffer.alloc(32, 7)
  it('accepts the signature signPayload made and nothing else', () => {
    const signature = signPayload(key, 'feedback:1795690000')
    expect(isValidSignature(key, 'feedback:1795690000', signature)).toBe(true)
    expect(isValidSignature(key, 'feedback:1795690001', signature)).toBe(false)
    expect(isValidSignature(key, 'feedback:1795690000', signature.slice(0, -1))).toBe(false)
  })
})
