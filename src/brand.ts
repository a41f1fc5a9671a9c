import { z } from 'zod'

const languageSchema = z.enum(['zh-CN', 'en'])
export type Language = z.infer<typeof languageSchema>

const localizedSchema = z.object({ en: z.string().min(1), 'zh-CN': z.string().min(1) })

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time HH:MM between 00:00 and 24:00')
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')

/** Weekly opening hours in the brand's time zone; days are ISO weekdays (1 = Monday … 7 = Sunday). */
const weeklyHoursSchema = z.object({
  days: z.array(z.number().int().min(1).max(7)).min(1),
  start: clockTime,
  end: clockTime,
})

const emailAddress = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address')
const domainName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lowercase domain name')

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
  website: z.url(),
  /** Registrable domains we send from; their subdomains are official too. */
  officialDomains: z.array(domainName).min(1),
  addresses: z.object({ support: emailAddress, security: emailAddress, noreply: emailAddress }),
  hotlines: z.array(z.object({ number: z.string().min(3), label: localizedSchema, hours: weeklyHoursSchema })),
  liveChatUrl: z.url(),
  feedbackFormUrl: z.url(),
  social: z.array(z.object({ network: z.string().min(1), handle: z.string().min(1), url: z.url() })),
  businessHours: weeklyHoursSchema.extend({
    timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Shanghai'),
  }),
  /** Named public-holiday calendars shipped with Maildesk (e.g. "cn"). */
  holidayCalendars: z.array(z.string()),
  /** Extra closed days, YYYY-MM-DD in the brand's time zone. */
  holidays: z.array(isoDate),
  /** Weekend days that are working days (China's make-up workdays), YYYY-MM-DD. */
  extraWorkdays: z.array(isoDate),
  languages: z.array(languageSchema).min(1),
  defaultLanguage: languageSchema,
})

export type Brand = z.infer<typeof brandSchema>
export type WeeklyHours = z.infer<typeof weeklyHoursSchema>

/** The official addresses mail is accepted for, lowercased. */
export function officialAddresses(brand: Brand): string[] {
  return Object.values(brand.addresses).map((a) => a.toLowerCase())
}

/** True when `domain` is an official domain or a subdomain of one. */
export function isOfficialDomain(brand: Brand, domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, '')
  return brand.officialDomains.some((o) => d === o || d.endsWith(`.${o}`))
}
