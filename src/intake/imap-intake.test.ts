import { describe, expect, it } from 'vitest'
import { backoffDelayMs } from './imap-intake.ts'
import { batchesOf } from './imap-sync.ts'

describe('backoffDelayMs', () => {
  it.each([
    [0, 0, 500],
    [0, 1, 1000],
    [1, 0, 1000],
    [3, 1, 8000],
    [10, 0.5, 225_000], // capped at 5 min: half fixed, half jitter
    [50, 1, 300_000],
  ])('attempt %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(backoffDelayMs(attempt, 1000, 300_000, () => random)).toBe(expected)
  })
})

describe('batchesOf', () => {
  const m = (size: number) => ({ size })
  it.each([
    ['by count', [m(1), m(1), m(1)], 2, 100, [[m(1), m(1)], [m(1)]]],
    ['by bytes', [m(40), m(40), m(40)], 10, 100, [[m(40), m(40)], [m(40)]]],
    ['a message larger than the byte limit goes alone', [m(10), m(500), m(10)], 10, 100, [[m(10)], [m(500)], [m(10)]]],
    ['nothing', [], 10, 100, []],
  ])('%s', (_name, items, maxCount, maxBytes, expected) => {
    expect(batchesOf(items, maxCount, maxBytes)).toEqual(expected)
  })
})
