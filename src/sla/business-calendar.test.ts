import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { brandSchema } from '../brand.ts'
import {
  addBusinessMinutes,
  businessCalendarFromBrand,
  businessMinutesBetween,
  createBusinessCalendar,
  holidayCoverageWarnings,
  isOpenAt,
  loadHolidayCalendar,
  nextOpening,
} from './business-calendar.ts'

const brand = brandSchema.parse(JSON.parse(readFileSync(new URL('../../config/brand.json', import.meta.url), 'utf8')))
/** OKPay: Asia/Shanghai, Monday–Friday 09:00–18:00, China's holidays and make-up workdays. */
const shanghai = businessCalendarFromBrand(brand)
/** New York, Monday–Friday 09:00–17:00, no holidays: DST starts 2026-03-08 and ends 2026-11-01. */
const newYork = createBusinessCalendar({
  businessHours: { timeZone: 'America/New_York', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
})
const newYorkAllDay = createBusinessCalendar({
  businessHours: { timeZone: 'America/New_York', days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' },
})

const d = (iso: string): Date => new Date(iso)

describe('addBusinessMinutes', () => {
  const cases: Array<{ name: string; calendar: typeof shanghai; from: string; minutes: number; due: string }> = [
    { name: 'Friday 17:30 + 4 h is Monday 12:30', calendar: shanghai, from: '2026-11-06T17:30+08:00', minutes: 240, due: '2026-11-09T12:30+08:00' },
    { name: 'a target ending at closing time is due at closing time', calendar: shanghai, from: '2026-11-06T17:00+08:00', minutes: 60, due: '2026-11-06T18:00+08:00' },
    { name: 'before opening starts counting at 09:00', calendar: shanghai, from: '2026-11-05T06:10+08:00', minutes: 30, due: '2026-11-05T09:30+08:00' },
    { name: 'a Saturday message waits for Monday', calendar: shanghai, from: '2026-11-07T11:00+08:00', minutes: 60, due: '2026-11-09T10:00+08:00' },
    { name: 'National Day (2026-10-01) is due after the holiday', calendar: shanghai, from: '2026-10-01T10:00+08:00', minutes: 240, due: '2026-10-08T13:00+08:00' },
    { name: 'the day before National Day rolls over the whole holiday', calendar: shanghai, from: '2026-09-30T16:00+08:00', minutes: 240, due: '2026-10-08T11:00+08:00' },
    { name: 'the make-up Saturday 2026-10-10 is a workday', calendar: shanghai, from: '2026-10-09T17:00+08:00', minutes: 240, due: '2026-10-10T12:00+08:00' },
    { name: 'the make-up Sunday 2026-09-20 is a workday', calendar: shanghai, from: '2026-09-19T10:00+08:00', minutes: 60, due: '2026-09-20T10:00+08:00' },
    { name: 'Spring Festival 2026: make-up Saturday 02-14, then closed until 02-24', calendar: shanghai, from: '2026-02-13T17:00+08:00', minutes: 660, due: '2026-02-24T10:00+08:00' },
    { name: 'New Year 2025 is one day, no make-up', calendar: shanghai, from: '2024-12-31T17:00+08:00', minutes: 120, due: '2025-01-02T10:00+08:00' },
    { name: 'spans several days', calendar: shanghai, from: '2026-11-02T09:00+08:00', minutes: 3 * 540 + 15, due: '2026-11-05T09:15+08:00' },
    { name: '0 minutes while closed is the next opening', calendar: shanghai, from: '2026-11-07T11:00+08:00', minutes: 0, due: '2026-11-09T09:00+08:00' },
    { name: 'New York: over the spring-forward weekend', calendar: newYork, from: '2026-03-06T16:00-05:00', minutes: 120, due: '2026-03-09T10:00-04:00' },
    { name: 'New York: over the fall-back weekend', calendar: newYork, from: '2026-10-30T16:30-04:00', minutes: 60, due: '2026-11-02T09:30-05:00' },
    { name: 'New York 24 h: the spring-forward Sunday has 23 hours', calendar: newYorkAllDay, from: '2026-03-08T00:00-05:00', minutes: 23 * 60, due: '2026-03-09T00:00-04:00' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      expect(addBusinessMinutes(c.calendar, d(c.from), c.minutes).toISOString()).toBe(d(c.due).toISOString())
    })
  }

  it('rejects negative minutes', () => {
    expect(() => addBusinessMinutes(shanghai, d('2026-11-06T10:00+08:00'), -1)).toThrow('minutes must be a number between')
  })
})

describe('businessMinutesBetween', () => {
  const cases: Array<{ name: string; calendar: typeof shanghai; a: string; b: string; minutes: number }> = [
    { name: 'Friday 17:30 to Monday 12:30 is 4 hours', calendar: shanghai, a: '2026-11-06T17:30+08:00', b: '2026-11-09T12:30+08:00', minutes: 240 },
    { name: 'inside one closed weekend is 0', calendar: shanghai, a: '2026-11-07T09:00+08:00', b: '2026-11-08T20:00+08:00', minutes: 0 },
    { name: 'the whole National Day week is 0', calendar: shanghai, a: '2026-10-01T00:00+08:00', b: '2026-10-08T00:00+08:00', minutes: 0 },
    { name: 'reversed order is negative', calendar: shanghai, a: '2026-11-09T12:30+08:00', b: '2026-11-06T17:30+08:00', minutes: -240 },
    { name: 'fractional minutes are kept', calendar: shanghai, a: '2026-11-06T10:00:00+08:00', b: '2026-11-06T10:00:30+08:00', minutes: 0.5 },
    { name: 'New York 24 h: spring-forward Sunday is 1380 minutes', calendar: newYorkAllDay, a: '2026-03-08T00:00-05:00', b: '2026-03-09T00:00-04:00', minutes: 1380 },
    { name: 'New York 24 h: fall-back Sunday is 1500 minutes', calendar: newYorkAllDay, a: '2026-11-01T00:00-04:00', b: '2026-11-02T00:00-05:00', minutes: 1500 },
    { name: 'New York: a DST week still has 5 × 8 hours', calendar: newYork, a: '2026-03-06T00:00-05:00', b: '2026-03-14T00:00-04:00', minutes: 6 * 480 },
  ]
  for (const c of cases) {
    it(c.name, () => {
      expect(businessMinutesBetween(c.calendar, d(c.a), d(c.b))).toBe(c.minutes)
    })
  }
})

describe('isOpenAt', () => {
  const cases: Array<[string, string, boolean]> = [
    ['Friday 17:59', '2026-11-06T17:59+08:00', true],
    ['Friday 18:00 (closing is exclusive)', '2026-11-06T18:00+08:00', false],
    ['Monday 09:00 (opening is inclusive)', '2026-11-09T09:00+08:00', true],
    ['Saturday noon', '2026-11-07T12:00+08:00', false],
    ['National Day noon', '2026-10-01T12:00+08:00', false],
    ['make-up Saturday noon', '2026-10-10T12:00+08:00', true],
    ['Monday 09:00 Shanghai seen from UTC', '2026-11-09T01:00Z', true],
  ]
  for (const [name, at, open] of cases) {
    it(`${name} → ${open ? 'open' : 'closed'}`, () => expect(isOpenAt(shanghai, d(at))).toBe(open))
  }
})

describe('nextOpening', () => {
  const cases: Array<[string, string, string]> = [
    ['while open it is now', '2026-11-06T10:15+08:00', '2026-11-06T10:15+08:00'],
    ['Friday after closing → Monday 09:00', '2026-11-06T18:00+08:00', '2026-11-09T09:00+08:00'],
    ['during National Day → 2026-10-08 09:00', '2026-10-03T12:00+08:00', '2026-10-08T09:00+08:00'],
    ['before the make-up Saturday → Saturday 09:00', '2026-10-09T19:00+08:00', '2026-10-10T09:00+08:00'],
  ]
  for (const [name, at, expected] of cases) {
    it(name, () => expect(nextOpening(shanghai, d(at)).toISOString()).toBe(d(expected).toISOString()))
  }
  it('an opening inside the spring-forward gap moves later by the gap', () => {
    const early = createBusinessCalendar({
      businessHours: { timeZone: 'America/New_York', days: [7], start: '02:30', end: '04:00' },
    })
    expect(nextOpening(early, d('2026-03-08T00:00-05:00')).toISOString()).toBe('2026-03-08T07:30:00.000Z')
    expect(businessMinutesBetween(early, d('2026-03-08T00:00-05:00'), d('2026-03-08T12:00-04:00'))).toBe(30)
  })
})

describe('createBusinessCalendar', () => {
  it('brand holidays and extra workdays override the named calendar', () => {
    const calendar = createBusinessCalendar({
      businessHours: brand.businessHours,
      holidayCalendars: [loadHolidayCalendar('cn')],
      holidays: ['2026-11-06'],
      extraWorkdays: ['2026-10-02', '2026-11-07'],
    })
    expect(isOpenAt(calendar, d('2026-11-06T10:00+08:00'))).toBe(false)
    expect(isOpenAt(calendar, d('2026-11-07T10:00+08:00'))).toBe(true)
    expect(isOpenAt(calendar, d('2026-10-02T10:00+08:00'))).toBe(true)
  })

  it('rejects closing before opening and unknown zones', () => {
    expect(() =>
      createBusinessCalendar({ businessHours: { timeZone: 'Asia/Shanghai', days: [1], start: '18:00', end: '09:00' } }),
    ).toThrow('businessHours.end must be later')
    expect(() =>
      createBusinessCalendar({ businessHours: { timeZone: 'Mars/Olympus', days: [1], start: '09:00', end: '18:00' } }),
    ).toThrow('IANA time zone')
  })

  it('names the missing file for an unknown holiday calendar', () => {
    expect(() => loadHolidayCalendar('atlantis')).toThrow('config/holidays/atlantis.json')
  })
})

describe('config/holidays/cn.json', () => {
  const cn = loadHolidayCalendar('cn')
  it('has every official make-up workday of 2025 and 2026 on a weekend', () => {
    expect(cn.workdays).toEqual([
      '2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11',
      '2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10',
    ])
    for (const date of cn.workdays) expect([0, 6]).toContain(new Date(`${date}T00:00Z`).getUTCDay())
  })
  it('counts the official days off per year (2025: 28, 2026: 33) and the statutory 13 for 2027', () => {
    const perYear = (y: string): number => cn.holidays.filter((h) => h.startsWith(y)).length
    expect([perYear('2025'), perYear('2026'), perYear('2027')]).toEqual([28, 33, 13])
  })
})

describe('holidayCoverageWarnings', () => {
  const cn = loadHolidayCalendar('cn')
  const cases: Array<[number, string[]]> = [
    [2026, []],
    [2027, ['holiday calendar "cn" for 2027 is provisional (statutory days only); replace it with the official schedule']],
    [2028, ['holiday calendar "cn" has no data for 2028; add it to config/holidays/cn.json']],
  ]
  for (const [year, expected] of cases) it(`${year}`, () => expect(holidayCoverageWarnings([cn], year)).toEqual(expected))
})
