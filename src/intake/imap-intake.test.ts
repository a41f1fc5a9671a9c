import { describe, expect, it } from 'vitest'
import { backoffDelayMs } from './imap-intake.ts'

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
