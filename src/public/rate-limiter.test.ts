import { describe, expect, it } from 'vitest'
import { RateLimiter } from './rate-limiter.ts'

const at = (ms: number) => new Date(Date.UTC(2026, 10, 26) + ms)

describe('RateLimiter', () => {
  it('allows the limit per key and window, then refuses until the window has passed', () => {
    const limiter = new RateLimiter(2, 1000)
    expect([limiter.take('a', at(0)), limiter.take('a', at(10)), limiter.take('a', at(20)), limiter.take('b', at(30))]).toEqual([true, true, false, true])
    expect(limiter.take('a', at(999))).toBe(false)
    expect(limiter.take('a', at(1000))).toBe(true)
  })

  it('forgets expired windows as time passes, so a flood of one-off keys does not stay in memory', () => {
    const limiter = new RateLimiter(1, 1000)
    for (let i = 0; i < 10_000; i++) limiter.take(`ip-${i}`, at(i % 500))
    expect(limiter.size).toBe(10_000)
    limiter.take('late', at(1499))
    expect(limiter.size).toBe(1)
  })

  it('keeps a key whose window restarted after the keys that are older', () => {
    const limiter = new RateLimiter(1, 1000)
    limiter.take('a', at(0))
    limiter.take('b', at(500))
    limiter.take('a', at(1100)) // a's new window starts after b's
    expect(limiter.take('b', at(1200))).toBe(false) // b is still limited: its window runs until 1500
    expect(limiter.take('a', at(1200))).toBe(false)
    expect(limiter.size).toBe(2)
  })

  it('remembers at most 50 000 keys, forgetting the oldest', () => {
    const limiter = new RateLimiter(1, 60_000)
    for (let i = 0; i < 50_001; i++) limiter.take(`ip-${i}`, at(0))
    expect(limiter.size).toBe(50_000)
    expect(limiter.take('ip-0', at(1))).toBe(true) // forgotten: starts afresh
    expect(limiter.take('ip-50000', at(1))).toBe(false)
  })
})
