import { z } from 'zod'

const languageSchema = z.enum(['zh-CN', 'en'])
export type Language = z.infer<typeof languageSchema>

const localizedSchema = z.object({ en: z.string().min(1), 'zh-CN': z.string().min(1) })

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time HH:MM between 00:00 and 24:00')

function minutesOf(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5))
}

/** A real calendar day: 2024-02-30 and 2024-13-45 are refused, not rolled over. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => {
    const date = new Date(`${d}T00:00:00Z`)
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(d)
  }, 'must be a real date YYYY-MM-DD')

/** Opening hours within one day; overnight hours (22:00–06:00) are not supported and would never be open. */
const OPEN_BEFORE_CLOSE = {
  check: (h: { start: string; end: string }) => minutesOf(h.end) > minutesOf(h.start),
  message: 'end must be later than start (hours within one day)',
}

/** Weekly opening hours in the brand's time zone; days are ISO weekdays (1 = Monday … 7 = Sunday). */
const weeklyHoursFields = z.object({
  days: z.array(z.number().int().min(1).max(7)).min(1),
  start: clockTime,
  end: clockTime,
})
const weeklyHoursSchema = weeklyHoursFields.refine(OPEN_BEFORE_CLOSE.check, { message: OPEN_BEFORE_CLOSE.message, path: ['end'] })

const emailAddress = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address')
const domainName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lowercase domain name')
/** Shown to customers as a link: a javascript: or data: URL would run in their browser. */
const webUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
/** Printed to customers and matched by the verifier: digits with the usual separators, e.g. +86 400-820-6688. */
const phoneNumber = z
  .string()
  .regex(/^\+?[\d(][\d ()./-]{1,28}\d$/, 'must be a phone number such as +86 400-820-6688 or 95188')

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/** Every fact about the company that runs Maildesk; the default is OKPay (config/brand.json). */
export const brandSchema = z.object({
  name: z.string().min(1).max(100),
  legalName: localizedSchema,
  /** Prefix of human ticket numbers: OKP → OKP-1042. */
  ticketPrefix: z.string().regex(/^[A-Z]{2,8}$/, 'must be 2 to 8 capital letters'),
  website: webUrl,
  /** Registrable domains we send from; their subdomains are official too. */
  officialDomains: z.array(domainName).min(1),
  /** Mail is accepted for these and the verifier calls them ours: each must be in an official domain. */
  addresses: z.object({ support: emailAddress, security: emailAddress, noreply: emailAddress }),
  hotlines: z.array(z.object({ number: phoneNumber, label: localizedSchema, hours: weeklyHoursSchema })),
  liveChatUrl: webUrl,
  feedbackFormUrl: webUrl,
  social: z.array(z.object({ network: z.string().min(1), handle: z.string().min(1), url: webUrl })),
  businessHours: weeklyHoursFields
    .extend({ timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Shanghai') })
    .refine(OPEN_BEFORE_CLOSE.check, { message: OPEN_BEFORE_CLOSE.message, path: ['end'] }),
  /** Named public-holiday calendars shipped with Maildesk (e.g. "cn"). */
  holidayCalendars: z.array(z.string()),
  /** Extra closed days, YYYY-MM-DD in the brand's time zone. */
  holidays: z.array(isoDate),
  /** Weekend days that are working days (China's make-up workdays), YYYY-MM-DD. */
  extraWorkdays: z.array(isoDate),
  languages: z.array(languageSchema).min(1),
  defaultLanguage: languageSchema,
})

/**
 * Rules between fields, checked on the raw input so that they are reported together with the field errors (a zod
 * refinement runs only once every field is valid): each official address is in an official domain, and the default
 * language is one of the languages.
 */
export function brandCrossFieldProblems(input: Record<string, unknown>): string[] {
  const problems: string[] = []
  const domains = z.array(domainName).min(1).safeParse(input.officialDomains)
  const addresses = z.record(z.string(), emailAddress).safeParse(input.addresses)
  if (domains.success && addresses.success) {
    for (const [purpose, address] of Object.entries(addresses.data)) {
      if (!isOfficialDomain({ officialDomains: domains.data }, address.slice(address.lastIndexOf('@') + 1))) {
        problems.push(`addresses.${purpose}: ${address} is not in an official domain (${domains.data.join(', ')})`)
      }
    }
  }
  const languages = z.array(languageSchema).safeParse(input.languages)
  const defaultLanguage = languageSchema.safeParse(input.defaultLanguage)
  if (languages.success && defaultLanguage.success && !languages.data.includes(defaultLanguage.data)) {
    problems.push(`defaultLanguage: ${defaultLanguage.data} must be one of languages (${languages.data.join(', ')})`)
  }
  return problems
}

export type Brand = z.infer<typeof brandSchema>
export type WeeklyHours = z.infer<typeof weeklyHoursSchema>

/** The official addresses mail is accepted for, lowercased. */
export function officialAddresses(brand: Brand): string[] {
  return Object.values(brand.addresses).map((a) => a.toLowerCase())
}

/** True when `domain` is an official domain or a subdomain of one. */
export function isOfficialDomain(brand: Pick<Brand, 'officialDomains'>, domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, '')
  return brand.officialDomains.some((o) => d === o || d.endsWith(`.${o}`))
}
