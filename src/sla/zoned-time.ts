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

/** The zone's exact offset (local − UTC, whole seconds) at an instant, as Intl reports it: one formatToParts. */
function offsetMsFromIntl(timeZone: string, instantMs: number): number {
  const fields = readParts(timeZone, instantMs)
  const asUtc = Date.UTC(
    field(fields, 'year'),
    field(fields, 'month') - 1,
    field(fields, 'day'),
    field(fields, 'hour') % 24,
    field(fields, 'minute'),
    field(fields, 'second'),
  )
  // Local fields are truncated to the second, and offsets are whole seconds: the difference is the offset exactly.
  return asUtc - Math.floor(instantMs / 1000) * 1000
}

const HOUR_MS = 3_600_000
/**
 * Offsets are cached per hour for 1900-2199 only: there JavaScript's proleptic calendar agrees with Intl's
 * Gregorian one (Intl switches to Julian before 1582) and Date.UTC takes the year as given (0-99 mean 1900-1999).
 */
const CACHED_FROM_MS = Date.UTC(1900, 0, 1)
const CACHED_UNTIL_MS = Date.UTC(2200, 0, 1)
/** Hours remembered per zone before the zone's cache starts over (a year is 8,760). */
const MAX_CACHED_HOURS = 20_000
/** Per zone: hour number (epoch ms / 1 h) → offset in ms, for hours in which the offset does not change. */
const offsetsByHour = new Map<string, Map<number, number>>()

/**
 * The zone's offset at an instant in ms. formatToParts costs microseconds and business-time arithmetic asks
 * for thousands of offsets a second, so each hour's offset is asked of Intl once: an hour whose first and last
 * millisecond have the same offset keeps it throughout (offset changes are weeks apart in the tz database, never
 * two within an hour). An hour with a change in it is answered by Intl every time.
 */
function offsetMsAt(timeZone: string, instantMs: number): number {
  if (!(instantMs >= CACHED_FROM_MS && instantMs < CACHED_UNTIL_MS)) return offsetMsFromIntl(timeZone, instantMs)
  let hours = offsetsByHour.get(timeZone)
  if (!hours) {
    hours = new Map()
    offsetsByHour.set(timeZone, hours)
  }
  const hour = Math.floor(instantMs / HOUR_MS)
  const cached = hours.get(hour)
  if (cached !== undefined) return cached
  const first = offsetMsFromIntl(timeZone, hour * HOUR_MS)
  if (offsetMsFromIntl(timeZone, (hour + 1) * HOUR_MS - 1) !== first) return offsetMsFromIntl(timeZone, instantMs)
  if (hours.size >= MAX_CACHED_HOURS) hours.clear()
  hours.set(hour, first)
  return first
}

/** The local calendar date and time of an instant in `timeZone`. */
export function zonedPartsOf(timeZone: string, instantMs: number): ZonedParts {
  if (!(instantMs >= CACHED_FROM_MS && instantMs < CACHED_UNTIL_MS)) {
    const fields = readParts(timeZone, instantMs)
    return {
      year: field(fields, 'year'),
      month: field(fields, 'month'),
      day: field(fields, 'day'),
      minuteOfDay: (field(fields, 'hour') % 24) * 60 + field(fields, 'minute'),
    }
  }
  // The local time is the instant shifted by the offset, read as UTC: what Intl prints, without asking it.
  const local = new Date(instantMs + offsetMsAt(timeZone, instantMs))
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    minuteOfDay: local.getUTCHours() * 60 + local.getUTCMinutes(),
  }
}

/** The zone's UTC offset in minutes (local − UTC) at an instant, e.g. +480 for Asia/Shanghai. */
export function offsetMinutesAt(timeZone: string, instantMs: number): number {
  return Math.round(offsetMsAt(timeZone, instantMs) / MINUTE_MS)
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
