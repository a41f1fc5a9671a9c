import { describe, expect, it } from 'vitest'
import { checkFormToken, isValidProofOfWork, issueFormToken, solveProofOfWork } from './form-token.ts'

const key = Buffer.alloc(32, 7)
const policy = { minAgeMs: 3000, maxAgeMs: 60_000 }
const t0 = new Date('2026-11-25T10:00:00Z')
const at = (ms: number) => new Date(t0.getTime() + ms)

describe('form tokens', () => {
  const token = issueFormToken(key, 'feedback', t0)

  it.each([
    ['accepted after a human pause', token, 'feedback', at(10_000), 'ok'],
    ['too fast one second after the page was served', token, 'feedback', at(1000), 'too_fast'],
    ['expired after the window', token, 'feedback', at(61_000), 'expired'],
    ['invalid for another form', token, 'status', at(10_000), 'invalid'],
    ['invalid when the timestamp was edited to look older', token.replace(/^\d+/, String(t0.getTime() - 5000)), 'feedback', at(0), 'invalid'],
    ['invalid when it is not a token at all', 'hello', 'feedback', at(10_000), 'invalid'],
  ] as const)('%s', (_name, tok, form, now, expected) => {
    expect(checkFormToken(key, form, tok, now, policy)).toBe(expected)
  })

  it('verifies a proof of work with one hash and rejects a wrong nonce', () => {
    const nonce = solveProofOfWork(token, 10)
    expect(isValidProofOfWork(token, nonce, 10)).toBe(true)
    expect(isValidProofOfWork(token, nonce, 24)).toBe(false)
    expect(isValidProofOfWork(token, 'abc', 1)).toBe(false)
  })
})
