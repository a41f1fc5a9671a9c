import type { Brand, Language, WeeklyHours } from '../brand.ts'
import { ACKNOWLEDGEMENT_STRINGS, type AcknowledgementStrings } from '../i18n/acknowledgement.ts'
import { normalizeSubject } from '../pipeline/normalize-subject.ts'
import { isoWeekdayOf, offsetMinutesAt, zonedPartsOf } from '../sla/zoned-time.ts'
import { escapeHtml } from '../escape-html.ts'

export interface AcknowledgementInput {
  brand: Brand
  language: Language
  /** Human ticket number, e.g. "OKP-1042". */
  ticketNumber: string
  /** The customer's subject; reply prefixes and old ticket tokens are stripped. */
  subject: string
  /** Expected first reply (from computeDueTimes), shown in the brand's time zone. */
  dueAt: Date
  /** Codes from missingFacts(): 'transaction_id' | 'transaction_time' | 'amount' | 'account_id'. */
  missingFacts: string[]
  /** Kinds of data redaction removed (FindingType codes such as 'card_number', 'password'); empty when none. */
  redactedKinds: string[]
  /** Public portal base URL, e.g. "https://help.okpay.com". */
  publicBaseUrl: string
  /** The classifier marked the message urgent (fraud, account theft): the hotlines come first, before any list. */
  isUrgent?: boolean
}

export interface RenderedMail {
  subject: string
  text: string
  html: string
}

type Block = { kind: 'paragraph'; text: string } | { kind: 'list'; items: string[] }

const pad2 = (n: number): string => String(n).padStart(2, '0')

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '−' : '+'
  const abs = Math.abs(minutes)
  return `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${pad2(abs % 60)}` : ''}`
}

/** "Monday, 9 November 2026, 12:30 (Beijing time)" / "2026年11月9日（周一）12:30（北京时间）". */
function formatDue(strings: AcknowledgementStrings, timeZone: string, dueAt: Date): string {
  const parts = zonedPartsOf(timeZone, dueAt.getTime())
  const weekday = strings.weekdays[isoWeekdayOf(parts) - 1] ?? ''
  const time = `${pad2(Math.floor(parts.minuteOfDay / 60))}:${pad2(parts.minuteOfDay % 60)}`
  const zone = strings.zoneName({ timeZone, offset: formatOffset(offsetMinutesAt(timeZone, dueAt.getTime())) })
  return strings.formatDue({ year: parts.year, month: parts.month, day: parts.day, weekday, time, zone })
}

function isAroundTheClock(hours: WeeklyHours): boolean {
  return hours.days.length === 7 && hours.start === '00:00' && hours.end === '24:00'
}

/** "Monday to Friday, 09:00–18:00" / "周一至周五 09:00–18:00"; non-contiguous days are listed. */
function formatWeeklyHours(strings: AcknowledgementStrings, hours: WeeklyHours, language: Language): string {
  if (isAroundTheClock(hours)) return strings.aroundTheClock
  const days = [...new Set(hours.days)].sort((a, b) => a - b)
  const first = days[0] ?? 1
  const last = days[days.length - 1] ?? 7
  const name = (d: number): string => strings.weekdays[d - 1] ?? ''
  let dayText: string
  if (days.length === 7) dayText = strings.everyDay
  else if (days.length > 2 && last - first === days.length - 1) dayText = strings.dayRange({ from: name(first), to: name(last) })
  else dayText = strings.joinList(days.map(name))
  const separator = language === 'en' ? ', ' : ' '
  return `${dayText}${separator}${hours.start}–${hours.end}`
}

function hotlineLines(strings: AcknowledgementStrings, brand: Brand, language: Language): string[] {
  // Round-the-clock lines first: they are the ones that help at night with a stolen account.
  const ordered = [...brand.hotlines].sort((a, b) => Number(isAroundTheClock(b.hours)) - Number(isAroundTheClock(a.hours)))
  return ordered.map((line) => {
    const label = line.label[language]
    if (!isAroundTheClock(line.hours)) {
      return strings.hotline({ number: line.number, label, hours: formatWeeklyHours(strings, line.hours, language) })
    }
    return strings.hotline({ number: line.number, label, hours: /24/.test(label) ? undefined : strings.aroundTheClock })
  })
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

function buildBlocks(input: AcknowledgementInput, strings: AcknowledgementStrings): Block[] {
  const { brand, language, ticketNumber } = input
  const blocks: Block[] = []
  const paragraph = (text: string): void => {
    blocks.push({ kind: 'paragraph', text })
  }
  paragraph(strings.greeting)
  paragraph(strings.received({ brand: brand.name, ticket: ticketNumber }))
  const hotlines = hotlineLines(strings, brand, language)
  if (input.isUrgent === true && hotlines.length > 0) {
    paragraph(strings.urgentFirst)
    blocks.push({ kind: 'list', items: hotlines })
  }
  const hasHolidays = brand.holidayCalendars.length > 0 || brand.holidays.length > 0
  const hours = formatWeeklyHours(strings, brand.businessHours, language)
  paragraph(
    `${strings.firstReply({ due: formatDue(strings, brand.businessHours.timeZone, input.dueAt) })}${language === 'en' ? ' ' : ''}${strings.businessHours({ hours, holidays: hasHolidays })}`,
  )
  const missing = unique(input.missingFacts)
    .map((fact) => strings.missing[fact])
    .filter((text): text is string => text !== undefined)
  if (missing.length > 0) {
    paragraph(strings.missingIntro)
    blocks.push({ kind: 'list', items: missing })
  }
  if (input.isUrgent !== true && hotlines.length > 0) {
    paragraph(strings.urgentIntro)
    blocks.push({ kind: 'list', items: hotlines })
  }
  paragraph(strings.urgentChat({ url: brand.liveChatUrl }))
  const kinds = unique(input.redactedKinds)
  if (kinds.length > 0) {
    const known = kinds.map((kind) => strings.redactedKinds[kind]).filter((text): text is string => text !== undefined)
    const names = known.length < kinds.length ? [...known, strings.redactedOther] : known
    paragraph(strings.redacted({ kinds: strings.joinList(names) }))
  }
  paragraph(strings.neverAsk({ brand: brand.name, security: brand.addresses.security }))
  paragraph(strings.followUp({ ticket: ticketNumber, statusUrl: `${input.publicBaseUrl.replace(/\/+$/, '')}/status` }))
  paragraph(strings.signOff({ brand: brand.name }))
  return blocks
}

/** Escapes text and turns http(s) URLs and email addresses (ours, from config) into links. */
function inlineHtml(text: string): string {
  const pattern = /https?:\/\/[^\s<>"'，。）)]+[^\s<>"'，。）).,]|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
  let html = ''
  let last = 0
  for (const match of text.matchAll(pattern)) {
    const value = match[0]
    const index = match.index
    html += escapeHtml(text.slice(last, index))
    const href = value.includes('://') ? value : `mailto:${value}`
    html += `<a href="${escapeHtml(href)}">${escapeHtml(value)}</a>`
    last = index + value.length
  }
  return (html + escapeHtml(text.slice(last))).replace(/\n/g, '<br>\n')
}

function renderText(blocks: Block[]): string {
  return `${blocks.map((b) => (b.kind === 'paragraph' ? b.text : b.items.map((i) => `  • ${i}`).join('\n'))).join('\n\n')}\n`
}

function renderHtml(blocks: Block[], language: Language, title: string): string {
  const body = blocks
    .map((b) =>
      b.kind === 'paragraph' ? `<p>${inlineHtml(b.text)}</p>` : `<ul>\n${b.items.map((i) => `<li>${inlineHtml(i)}</li>`).join('\n')}\n</ul>`,
    )
    .join('\n')
  return [
    '<!DOCTYPE html>',
    `<html lang="${language}">`,
    `<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family: -apple-system, \'Segoe UI\', \'PingFang SC\', \'Microsoft YaHei\', sans-serif; line-height: 1.5; color: #222;">',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n')
}

/**
 * The acknowledgement for a new ticket in the customer's language: ticket number in the subject, the expected
 * first-reply time in the brand's time zone, what to send if facts are missing, the hotlines for urgent matters, a
 * note on removed sensitive data and the promise that we never ask for passwords, PINs or codes. Text only; sending
 * (headers such as Auto-Submitted) belongs to the outbound mail service.
 */
export function renderAcknowledgement(input: AcknowledgementInput): RenderedMail {
  const strings = ACKNOWLEDGEMENT_STRINGS[input.language]
  const topic = normalizeSubject(input.subject).slice(0, 200) || strings.fallbackSubject({ brand: input.brand.name })
  const subject = `[${input.ticketNumber}] ${topic}`.replace(/[\r\n]+/g, ' ')
  const blocks = buildBlocks(input, strings)
  return { subject, text: renderText(blocks), html: renderHtml(blocks, input.language, subject) }
}
