import { describe, expect, it } from 'vitest'
import { describeHours, isOpenAt } from './official-channels.ts'

const tz = 'Asia/Shanghai'
const weekdays = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' }
const allDay = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' }

describe('isOpenAt', () => {
  it.each([
    ['Wednesday 09:00 Shanghai is the first open minute', '2026-11-25T01:00:00Z', weekdays, true],
    ['Wednesday 08:59 Shanghai is still closed', '2026-11-25T00:59:00Z', weekdays, false],
    ['Wednesday 18:00 Shanghai is closed (end is exclusive)', '2026-11-25T10:00:00Z', weekdays, false],
    ['Friday 23:30 UTC is Saturday in Shanghai: closed', '2026-11-27T23:30:00Z', weekdays, false],
    ['Sunday 23:30 UTC is Monday 07:30 in Shanghai: closed', '2026-11-29T23:30:00Z', weekdays, false],
    ['Sunday 23:30 UTC is Monday 07:30 in Shanghai: the 24-hour line is open', '2026-11-29T23:30:00Z', allDay, true],
    ['24:00 end covers 23:59', '2026-11-25T15:59:00Z', allDay, true],
  ])('%s', (_name, at, hours, expected) => {
    expect(isOpenAt(hours, tz, new Date(at))).toBe(expected)
  })
})

describe('describeHours', () => {
  it.each([
    [weekdays, 'en', 'Mon–Fri 09:00–18:00'],
    [weekdays, 'zh-CN', '周一至周五 09:00–18:00'],
    [allDay, 'en', 'Every day 24 hours'],
    [allDay, 'zh-CN', '每天 24 小时'],
    [{ days: [6, 7], start: '10:00', end: '16:00' }, 'en', 'Sat, Sun 10:00–16:00'],
  ] as const)('%j in %s reads "%s"', (hours, lang, expected) => {
    expect(describeHours({ ...hours, days: [...hours.days] }, lang)).toBe(expected)
  })
})
