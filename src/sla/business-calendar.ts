import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import type { Brand, WeeklyHours } from '../brand.ts'
import { ConfigError, InvalidInputError } from '../errors.ts'
import {
  addDays,
  formatLocalDate,
  instantOfLocalTime,
  isoWeekdayOf,
  zonedPartsOf,
  type LocalDate,
} from './zoned-time.ts'

/**
 * When support is staffed: weekly hours in one time zone, public holidays closed, make-up workdays (China's 调休)
 * open. Business minutes are real elapsed minutes inside opening hours, so a day that crosses a DST change inside
 * opening hours is one hour shorter or longer, as the staff experience it.
 */
export interface BusinessCalendar {
  timeZone: string
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: ReadonlySet<number>
  /** Opening, minutes after local midnight. */
  openMinute: number
  /** Closing, minutes after local midnight (1440 = midnight at the end of the day). */
  closeMinute: number
  /** YYYY-MM-DD → open (a make-up workday) or closed (a holiday); overrides the weekly pattern. */
  dayOverrides: ReadonlyMap<string, 'open' | 'closed'>
}

/** A named public-holiday calendar such as config/holidays/cn.json, flattened. */
export interface HolidayCalendar {
  name: string
  /** Closed dates, YYYY-MM-DD. */
  holidays: string[]
  /** Weekend dates that are working days, YYYY-MM-DD. */
  workdays: string[]
  /** Years the file covers; 'provisional' means statutory days only, the official schedule was not yet known. */
  years: Array<{ year: number; status: 'official' | 'provisional' }>
}

export interface BusinessCalendarOptions {
  businessHours: WeeklyHours & { timeZone: string }
  /** Applied in order; later ones win where they disagree. */
  holidayCalendars?: HolidayCalendar[]
  /** Extra closed days; they win over everything else. */
  holidays?: string[]
  /** Extra working days; they win over named calendars. */
  extraWorkdays?: string[]
}

const MINUTE_MS = 60_000
/** A calendar that is never open within this many days is a configuration mistake, not a long wait. */
const MAX_SEARCH_DAYS = 3_660
/** No SLA target is longer than ten years of minutes; a larger value is a unit mistake (ms for minutes). */
const MAX_TARGET_MINUTES = 10 * 365 * 24 * 60

function parseClock(value: string, field: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(value)
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN
  if (!(minutes >= 0 && minutes <= 1440)) throw new InvalidInputError(`${field} must be HH:MM between 00:00 and 24:00`, field)
  return minutes
}

function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone })
    return true
  } catch {
    return false
  }
}

/**
 * Builds a calendar from weekly hours, named holiday calendars and the brand's own extra days.
 * @throws InvalidInputError when the hours are empty or inverted or the time zone is unknown.
 */
export function createBusinessCalendar(options: BusinessCalendarOptions): BusinessCalendar {
  const { businessHours } = options
  if (!isValidTimeZone(businessHours.timeZone)) {
    throw new InvalidInputError('businessHours.timeZone must be an IANA time zone such as Asia/Shanghai', 'timeZone')
  }
  const openMinute = parseClock(businessHours.start, 'businessHours.start')
  const closeMinute = parseClock(businessHours.end, 'businessHours.end')
  if (closeMinute <= openMinute) {
    throw new InvalidInputError('businessHours.end must be later than businessHours.start', 'businessHours.end')
  }
  if (businessHours.days.length === 0) throw new InvalidInputError('businessHours.days must not be empty', 'days')
  const dayOverrides = new Map<string, 'open' | 'closed'>()
  for (const named of options.holidayCalendars ?? []) {
    for (const date of named.holidays) dayOverrides.set(date, 'closed')
    for (const date of named.workdays) dayOverrides.set(date, 'open')
  }
  for (const date of options.extraWorkdays ?? []) dayOverrides.set(date, 'open')
  for (const date of options.holidays ?? []) dayOverrides.set(date, 'closed')
  return {
    timeZone: businessHours.timeZone,
    weekdays: new Set(businessHours.days),
    openMinute,
    closeMinute,
    dayOverrides,
  }
}

const holidayFileSchema = z.object({
  name: z.string(),
  years: z.record(
    z.string().regex(/^\d{4}$/),
    z.object({
      status: z.enum(['official', 'provisional']),
      holidays: z.array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), name: z.string() })),
      workdays: z.array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), name: z.string() })),
    }),
  ),
})

const HOLIDAY_DIR = fileURLToPath(new URL('../../config/holidays/', import.meta.url))
const loadedHolidayCalendars = new Map<string, HolidayCalendar>()

/**
 * Reads a named holiday calendar shipped in config/holidays/NAME.json (cached after the first read).
 * @throws ConfigError when the name is unknown or the file is malformed.
 */
export function loadHolidayCalendar(name: string, directory = HOLIDAY_DIR): HolidayCalendar {
  const key = `${directory}\u0000${name}`
  const cached = loadedHolidayCalendars.get(key)
  if (cached) return cached
  if (!/^[a-z0-9-]{1,40}$/.test(name)) throw new ConfigError([`holiday calendar name must be lowercase letters, digits or dashes`])
  let raw: string
  try {
    raw = readFileSync(`${directory}${name}.json`, 'utf8')
  } catch {
    throw new ConfigError([`holidayCalendars: unknown calendar "${name}" (expected a file config/holidays/${name}.json)`])
  }
  const parsed = holidayFileSchema.safeParse(JSON.parse(raw))
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `config/holidays/${name}.json: ${i.path.join('.')}: ${i.message}`))
  }
  const years = Object.entries(parsed.data.years).sort(([a], [b]) => a.localeCompare(b))
  const calendar: HolidayCalendar = {
    name,
    holidays: years.flatMap(([, y]) => y.holidays.map((h) => h.date)),
    workdays: years.flatMap(([, y]) => y.workdays.map((w) => w.date)),
    years: years.map(([year, y]) => ({ year: Number(year), status: y.status })),
  }
  loadedHolidayCalendars.set(key, calendar)
  return calendar
}

/**
 * The brand's business calendar: its hours, its named holiday calendars, its own holidays and extra workdays.
 * @throws ConfigError when a named calendar is missing.
 */
export function businessCalendarFromBrand(brand: Brand): BusinessCalendar {
  return createBusinessCalendar({
    businessHours: brand.businessHours,
    holidayCalendars: brand.holidayCalendars.map((name) => loadHolidayCalendar(name)),
    holidays: brand.holidays,
    extraWorkdays: brand.extraWorkdays,
  })
}

/**
 * Problems an operator should hear about at start: a named holiday calendar that does not cover `year` (its days
 * off are unknown, so due times will count them as working days) or covers it only provisionally.
 */
export function holidayCoverageWarnings(calendars: HolidayCalendar[], year: number): string[] {
  const warnings: string[] = []
  for (const calendar of calendars) {
    const entry = calendar.years.find((y) => y.year === year)
    if (!entry) warnings.push(`holiday calendar "${calendar.name}" has no data for ${year}; add it to config/holidays/${calendar.name}.json`)
    else if (entry.status === 'provisional') {
      warnings.push(`holiday calendar "${calendar.name}" for ${year} is provisional (statutory days only); replace it with the official schedule`)
    }
  }
  return warnings
}

/** True when `date` (a local date in the calendar's zone) is a working day. */
export function isWorkday(calendar: BusinessCalendar, date: LocalDate): boolean {
  const override = calendar.dayOverrides.get(formatLocalDate(date))
  if (override) return override === 'open'
  return calendar.weekdays.has(isoWeekdayOf(date))
}

/** Opening interval [start, end) in epoch ms of a local date, or undefined when closed that day. */
function openingOf(calendar: BusinessCalendar, date: LocalDate): { startMs: number; endMs: number } | undefined {
  if (!isWorkday(calendar, date)) return undefined
  return {
    startMs: instantOfLocalTime(calendar.timeZone, date, calendar.openMinute),
    endMs: instantOfLocalTime(calendar.timeZone, date, calendar.closeMinute),
  }
}

function localDateOf(calendar: BusinessCalendar, instantMs: number): LocalDate {
  const { year, month, day } = zonedPartsOf(calendar.timeZone, instantMs)
  return { year, month, day }
}

function assertValidDate(value: Date, field: string): number {
  const ms = value.getTime()
  if (Number.isNaN(ms)) throw new InvalidInputError(`${field} must be a valid date`, field)
  return ms
}

/** True when support is open at the instant `at` (opening time inclusive, closing time exclusive). */
export function isOpenAt(calendar: BusinessCalendar, at: Date): boolean {
  const atMs = assertValidDate(at, 'at')
  const opening = openingOf(calendar, localDateOf(calendar, atMs))
  return opening !== undefined && atMs >= opening.startMs && atMs < opening.endMs
}

/**
 * The first instant at or after `at` when support is open: `at` itself when open.
 * @throws InvalidInputError when the calendar has no working day within ten years.
 */
export function nextOpening(calendar: BusinessCalendar, at: Date): Date {
  const atMs = assertValidDate(at, 'at')
  let date = localDateOf(calendar, atMs)
  for (let i = 0; i < MAX_SEARCH_DAYS; i++, date = addDays(date, 1)) {
    const opening = openingOf(calendar, date)
    if (!opening || opening.endMs <= atMs) continue
    return new Date(Math.max(opening.startMs, atMs))
  }
  throw new InvalidInputError('the business calendar has no working day within ten years')
}

/**
 * The instant when `minutes` business minutes have passed after `from`. A target that ends exactly at closing
 * time is due at closing time, not at the next opening; 0 minutes returns the next opening.
 * @throws InvalidInputError for a negative or non-finite number of minutes, or a calendar that never opens.
 */
export function addBusinessMinutes(calendar: BusinessCalendar, from: Date, minutes: number): Date {
  const fromMs = assertValidDate(from, 'from')
  if (!Number.isFinite(minutes) || minutes < 0 || minutes > MAX_TARGET_MINUTES) {
    throw new InvalidInputError('minutes must be a number between 0 and 5,256,000 (ten years)', 'minutes')
  }
  let remainingMs = minutes * MINUTE_MS
  let date = localDateOf(calendar, fromMs)
  let daysWithoutOpening = 0
  for (;;) {
    const opening = openingOf(calendar, date)
    date = addDays(date, 1)
    if (!opening || opening.endMs <= fromMs) {
      if (++daysWithoutOpening > MAX_SEARCH_DAYS) {
        throw new InvalidInputError('the business calendar has no working day within ten years')
      }
      continue
    }
    daysWithoutOpening = 0
    const startMs = Math.max(opening.startMs, fromMs)
    const availableMs = opening.endMs - startMs
    if (remainingMs <= availableMs) return new Date(startMs + remainingMs)
    remainingMs -= availableMs
  }
}

/**
 * Business minutes between two instants (may be fractional; negative when `b` is before `a`).
 */
export function businessMinutesBetween(calendar: BusinessCalendar, a: Date, b: Date): number {
  const aMs = assertValidDate(a, 'a')
  const bMs = assertValidDate(b, 'b')
  if (bMs < aMs) return -businessMinutesBetween(calendar, b, a)
  let totalMs = 0
  let date = localDateOf(calendar, aMs)
  const lastDate = formatLocalDate(localDateOf(calendar, bMs))
  for (;;) {
    const opening = openingOf(calendar, date)
    if (opening) totalMs += Math.max(0, Math.min(opening.endMs, bMs) - Math.max(opening.startMs, aMs))
    if (formatLocalDate(date) >= lastDate) break
    date = addDays(date, 1)
  }
  return totalMs / MINUTE_MS
}
