/**
 * Wall-clock arithmetic in an IANA time zone with Intl alone (no tz database of our own): the runtime's ICU data
 * already knows every offset change, so we only ask it "what does this instant look like there?".
 */

export interface LocalDate {
  year: number
  /** 1 = January */
  month: number
  day: number
}

export interface ZonedParts extends LocalDate {
  /** Minutes since local midnight, 0…1439. */
  minuteOfDay: number
}

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

function readParts(timeZone: string, instantMs: number): Record<string, number> {
  const fields: Record<string, number> = {}
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value)
  }
  return fields
}

function field(fields: Record<string, number>, name: string): number {
  const value = fields[name]
  if (value === undefined || Number.isNaN(value)) throw new Error(`Intl did not return the ${name} field`)
  return value
}

/** The local calendar date and time of an instant in `timeZone`. */
export function zonedPartsOf(timeZone: string, instantMs: number): ZonedParts {
  const fields = readParts(timeZone, instantMs)
  return {
    year: field(fields, 'year'),
    month: field(fields, 'month'),
    day: field(fields, 'day'),
    minuteOfDay: (field(fields, 'hour') % 24) * 60 + field(fields, 'minute'),
  }
}

/** The zone's UTC offset in minutes (local − UTC) at an instant, e.g. +480 for Asia/Shanghai. */
export function offsetMinutesAt(timeZone: string, instantMs: number): number {
  const fields = readParts(timeZone, instantMs)
  const asUtc = Date.UTC(
    field(fields, 'year'),
    field(fields, 'month') - 1,
    field(fields, 'day'),
    field(fields, 'hour') % 24,
    field(fields, 'minute'),
    field(fields, 'second'),
  )
  const wholeSecond = Math.floor(instantMs / 1000) * 1000
  return Math.round((asUtc - wholeSecond) / MINUTE_MS)
}

/**
 * The instant of a local wall-clock time. Like Temporal's "compatible" disambiguation: a time skipped by a
 * spring-forward gap is moved later by the gap; a time repeated by a fall-back overlap takes the earlier instant.
 * `minuteOfDay` may be 1440 (24:00 = next midnight).
 */
export function instantOfLocalTime(timeZone: string, date: LocalDate, minuteOfDay: number): number {
  const naive = Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * MINUTE_MS
  const before = offsetMinutesAt(timeZone, naive - DAY_MS)
  const after = offsetMinutesAt(timeZone, naive + DAY_MS)
  const valid: number[] = []
  for (const offset of new Set([before, after])) {
    const candidate = naive - offset * MINUTE_MS
    if (offsetMinutesAt(timeZone, candidate) === offset) valid.push(candidate)
  }
  if (valid.length > 0) return Math.min(...valid)
  // In a gap: interpret with the offset in force before the change, which lands after the gap.
  return naive - before * MINUTE_MS
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar date. */
export function isoWeekdayOf(date: LocalDate): number {
  const day = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()
  return day === 0 ? 7 : day
}

/** The calendar date `days` after `date` (negative goes back). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

/** YYYY-MM-DD of a calendar date. */
export function formatLocalDate(date: LocalDate): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${String(date.year).padStart(4, '0')}-${pad(date.month)}-${pad(date.day)}`
}
