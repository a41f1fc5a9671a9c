import { describe, expect, it } from 'vitest'
import { instantOfLocalTime, offsetMinutesAt, zonedPartsOf } from './zoned-time.ts'

const MINUTE_MS = 60_000
const HOUR_MS = 3_600_000

const formats = new Map<string, Intl.DateTimeFormat>()

/** The reference: Intl asked about every instant, nothing cached (what zoned-time did before it cached offsets). */
function intlParts(timeZone: string, instantMs: number) {
  let format = formats.get(timeZone)
  if (!format) {
    const options = { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' } as const
    format = new Intl.DateTimeFormat('en-US', options)
    formats.set(timeZone, format)
  }
  const f: Record<string, number> = {}
  for (const part of format.formatToParts(instantMs)) if (part.type !== 'literal') f[part.type] = Number(part.value)
  const read = (name: string): number => f[name] ?? NaN
  const [year, month, day, hour, minute, second] = [read('year'), read('month'), read('day'), read('hour'), read('minute'), read('second')]
  const asUtc = Date.UTC(year, month - 1, day, hour % 24, minute, second)
  return {
    parts: { year, month, day, minuteOfDay: (hour % 24) * 60 + minute },
    offsetMinutes: Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / MINUTE_MS),
  }
}

/** Every instant at which the zone's offset changes within [fromMs, toMs), to the millisecond. */
function transitionsOf(timeZone: string, fromMs: number, toMs: number): number[] {
  const found: number[] = []
  for (let hour = fromMs; hour < toMs; hour += HOUR_MS) {
    let before = hour
    let after = hour + HOUR_MS
    if (intlParts(timeZone, before).offsetMinutes === intlParts(timeZone, after).offsetMinutes) continue
    while (after - before > 1) {
      const middle = Math.floor((before + after) / 2)
      if (intlParts(timeZone, middle).offsetMinutes === intlParts(timeZone, before).offsetMinutes) before = middle
      else after = middle
    }
    found.push(after)
  }
  return found
}

describe('zoned time with cached offsets gives what Intl gives for every instant', () => {
  const zones: Array<{ zone: string; year: number; transitions: number }> = [
    { zone: 'America/New_York', year: 2026, transitions: 2 },
    { zone: 'Europe/London', year: 2026, transitions: 2 },
    // Half-hour daylight saving time.
    { zone: 'Australia/Lord_Howe', year: 2026, transitions: 2 },
    // +12:45 / +13:45.
    { zone: 'Pacific/Chatham', year: 2026, transitions: 2 },
    { zone: 'America/Santiago', year: 2026, transitions: 2 },
    // No daylight saving time at all; a quarter-hour offset.
    { zone: 'Asia/Shanghai', year: 2026, transitions: 0 },
    { zone: 'Asia/Kathmandu', year: 2026, transitions: 0 },
    // −00:44:30 until 1972-01-07: an offset with seconds, changing at a time that is no whole hour in UTC.
    { zone: 'Africa/Monrovia', year: 1972, transitions: 1 },
  ]
  for (const { zone, year, transitions } of zones) {
    it(`${zone} over ${year}: every 37 minutes and a millisecond either side of each offset change`, () => {
      const fromMs = Date.UTC(year, 0, 1)
      const toMs = Date.UTC(year + 1, 0, 1)
      const changes = transitionsOf(zone, fromMs, toMs)
      expect(changes).toHaveLength(transitions)
      const instants: number[] = []
      for (let t = fromMs; t < toMs; t += 37 * MINUTE_MS) instants.push(t)
      for (const change of changes) instants.push(change - 1, change, change + 1)
      const mismatches: string[] = []
      // Twice: the first pass fills the cache, the second answers from it.
      for (let pass = 0; pass < 2; pass++) {
        for (const t of instants) {
          const expected = intlParts(zone, t)
          const parts = zonedPartsOf(zone, t)
          const offset = offsetMinutesAt(zone, t)
          if (JSON.stringify(parts) !== JSON.stringify(expected.parts) || offset !== expected.offsetMinutes) {
            mismatches.push(`${new Date(t).toISOString()}: ${JSON.stringify([parts, offset])} ≠ ${JSON.stringify(expected)}`)
          }
        }
      }
      expect(mismatches.slice(0, 5)).toEqual([])
    })
  }

  it('outside 1900-2199 answers from Intl directly', () => {
    const t = Date.UTC(1850, 5, 1, 12, 0)
    expect(zonedPartsOf('Asia/Shanghai', t)).toEqual(intlParts('Asia/Shanghai', t).parts)
    expect(offsetMinutesAt('Asia/Shanghai', t)).toBe(intlParts('Asia/Shanghai', t).offsetMinutes)
  })
})

describe('instantOfLocalTime', () => {
  const cases: Array<{ name: string; zone: string; date: [number, number, number]; minuteOfDay: number; iso: string }> = [
    { name: 'an ordinary time', zone: 'America/New_York', date: [2026, 7, 1], minuteOfDay: 9 * 60, iso: '2026-07-01T13:00:00.000Z' },
    { name: 'in the spring-forward gap: moved later by the gap', zone: 'America/New_York', date: [2026, 3, 8], minuteOfDay: 150, iso: '2026-03-08T07:30:00.000Z' },
    { name: 'in the fall-back overlap: the earlier instant', zone: 'America/New_York', date: [2026, 11, 1], minuteOfDay: 90, iso: '2026-11-01T05:30:00.000Z' },
    { name: 'Lord Howe half-hour gap (02:00-02:30)', zone: 'Australia/Lord_Howe', date: [2026, 10, 4], minuteOfDay: 135, iso: '2026-10-03T15:45:00.000Z' },
    { name: '24:00 is the next midnight', zone: 'Asia/Shanghai', date: [2026, 11, 6], minuteOfDay: 1440, iso: '2026-11-06T16:00:00.000Z' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const [year, month, day] = c.date
      expect(new Date(instantOfLocalTime(c.zone, { year, month, day }, c.minuteOfDay)).toISOString()).toBe(c.iso)
    })
  }
})
