/**
 * Facts an agent needs before looking at a payment problem: who the customer is (account), which transaction
 * (IDs, time), and how much. Chinese and English, as customers actually write them. IDs are taken only next to a
 * context word ("交易号", "order no."), never from bare digit runs, and a Luhn-valid card number is never taken
 * for an ID even next to one.
 */
import { globalRegExp } from './global-regexp.ts'

export interface ExtractedAccount {
  kind: 'email' | 'user_id'
  value: string
}

/** A transaction time as written; the parts that were written are filled in (no guessing of years or zones). */
export interface ExtractedTime {
  /** The words as they appear in the text. */
  text: string
  /** True for "昨天", "yesterday at 3pm", "上周五": kept as text, resolved by a person. */
  relative: boolean
  year?: number
  month?: number
  day?: number
  hour?: number
  minute?: number
}

export interface ExtractedAmount {
  text: string
  value: number
  /** ISO 4217 code; ¥ and 元 are read as CNY, a bare $ as USD. */
  currency: string
}

export interface ExtractedFields {
  accounts: ExtractedAccount[]
  transactionIds: string[]
  transactionTimes: ExtractedTime[]
  amounts: ExtractedAmount[]
}

interface Span<T> {
  start: number
  end: number
  value: T
}

interface Rule<T> {
  pattern: RegExp
  build: (match: RegExpExecArray) => T | undefined
}

/** An agent needs a handful of each; a pasted statement with thousands is cut here, which also bounds the work. */
const MAX_MATCHES_PER_FIELD = 100

/** Runs rules in priority order; a match overlapping an earlier accepted one is dropped. Result in text order. */
function collect<T>(text: string, rules: Rule<T>[]): T[] {
  const accepted: Span<T>[] = []
  for (const rule of rules) {
    if (accepted.length >= MAX_MATCHES_PER_FIELD) break
    const pattern = globalRegExp(rule.pattern)
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      if (match[0].length === 0) {
        pattern.lastIndex++
        continue
      }
      const start = match.index
      const end = start + match[0].length
      if (accepted.some((s) => start < s.end && end > s.start)) continue
      const value = rule.build(match)
      if (value !== undefined) {
        accepted.push({ start, end, value })
        if (accepted.length >= MAX_MATCHES_PER_FIELD) break
      }
      // A rejected match ("payment reference" where "reference" is no ID) may hide a good one that starts inside it.
      if (value === undefined) pattern.lastIndex = start + 1
    }
  }
  return accepted.sort((a, b) => a.start - b.start).map((s) => s.value)
}

function unique<T>(values: T[], key: (v: T) => string): T[] {
  const seen = new Set<string>()
  return values.filter((v) => {
    const k = key(v)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

// ---------------------------------------------------------------- cards are never IDs

function luhnValid(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      n *= 2
      if (n > 9) n -= 9
    }
    sum += n
  }
  return sum % 10 === 0
}

/** Issuer prefixes of the card networks seen in China and abroad (Visa, Mastercard, Amex, UnionPay, JCB, …). */
const CARD_ISSUER = /^(?:4|5[1-5]|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|3[47]|62|6011|64[4-9]|65|35(?:2[89]|[3-8]\d)|30[0-5]|36|38)/

/** True for a 13–19 digit Luhn-valid number with a card issuer prefix: a payment card, not a transaction. */
export function looksLikeCardNumber(value: string): boolean {
  const digits = value.replace(/[\s-]/g, '')
  return /^\d{13,19}$/.test(digits) && CARD_ISSUER.test(digits) && luhnValid(digits)
}

// ---------------------------------------------------------------- accounts and transaction IDs

// Starts only at a token boundary and bounds each part, so a 200 kB run of letters is one linear scan, not n².
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,10}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g

const SEP = String.raw`\s{0,4}(?:is|was|are|:|：|#|=|是|为|為)?\s{0,4}[:：#]?\s{0,4}`
const ID_VALUE = String.raw`([A-Za-z0-9][A-Za-z0-9_-]{5,63})(?![A-Za-z0-9_@.-]*[A-Za-z0-9_@-])`

const TRANSACTION_ID_CONTEXTS = [
  String.raw`\b(?:transaction|txn|trans|payment|order|reference|ref|trade|receipt)\s{0,4}(?:id|no\.?|number|num|#|code)?`,
  String.raw`(?:交易(?:单|單)?(?:号|號|编号|編號)|交易流水号|流水号|流水號|订单(?:号|編號|编号)|訂單(?:號|編號)|商户(?:订)?单号|支付(?:单)?号|付款单号|退款单号|业务单号|参考号|凭证号)(?:码)?`,
]

const ACCOUNT_ID_CONTEXTS = [
  String.raw`\b(?:user\s{0,4}id|user\s{0,4}name|username|account\s{0,4}(?:id|no\.?|number|#)?|uid|customer\s{0,4}(?:id|no\.?|number)|member\s{0,4}(?:id|no\.?)|wallet\s{0,4}id|login\s{0,4}id)`,
  String.raw`(?:用户\s{0,4}ID|用户id|用户名|用户号|账号|帳號|帐号|账户|帳戶|帐户|会员号|會員號|UID|uid|登录名|登录账号|注册手机号?|手机号码?)`,
]

function idRule(context: string, kind: 'transaction' | 'account'): Rule<string> {
  return {
    pattern: new RegExp(`${context}${SEP}${ID_VALUE}`, 'gi'),
    build: (m) => {
      const value = m[1]
      if (!value) return undefined
      const digits = (value.match(/\d/g) ?? []).length
      // Words such as "cancelled" or "number" after the context word are not IDs: require digits.
      if (digits < 4) return undefined
      if (looksLikeCardNumber(value)) return undefined
      if (kind === 'transaction' && /^\d{4}-\d{1,2}-\d{1,2}$/.test(value)) return undefined // a date, not an ID
      return value
    },
  }
}

const TRANSACTION_ID_RULES = TRANSACTION_ID_CONTEXTS.map((c) => idRule(c, 'transaction'))
const ACCOUNT_ID_RULES = ACCOUNT_ID_CONTEXTS.map((c) => idRule(c, 'account'))

// ---------------------------------------------------------------- times

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
}
const MONTH_NAME = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`
const EN_TIME = String.raw`(?:,?\s{1,4}(?:at\s{1,4}|around\s{1,4})?(\d{1,2})(?::(\d{2}))?\s{0,4}([ap]m|[ap]\.m\.)(?![a-z])|,?\s{1,4}(?:at\s{1,4}|around\s{1,4})?(\d{1,2}):(\d{2})(?!\d))?`
const ZH_TIME = String.raw`(?:\s{0,4}(上午|下午|晚上|凌晨|中午|早上|傍晚)?\s{0,4}(\d{1,2})(?:[:：](\d{2})|[点點时時](?:(\d{1,2})分?|(半))?))?`

function monthOf(name: string | undefined): number | undefined {
  return name ? MONTHS[name.toLowerCase().slice(0, name.toLowerCase().startsWith('sept') ? 4 : 3)] : undefined
}

function hourWithMeridiem(hour: number, meridiem: string | undefined): number {
  const m = (meridiem ?? '').toLowerCase().replace(/\./g, '')
  if ((m === 'pm' || m === '下午' || m === '晚上' || m === '傍晚') && hour < 12) return hour + 12
  if (m === '中午' && hour < 11) return hour + 12
  if ((m === 'am' || m === '凌晨') && hour === 12) return 0
  return hour
}

function num(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value)
}

/** Builds a time from parts, or undefined when the parts are not a real date/time. */
function makeTime(
  text: string,
  parts: { year?: number; month?: number; day?: number; hour?: number; minute?: number },
): ExtractedTime | undefined {
  const { year, month, day, hour, minute } = parts
  if (month !== undefined && (month < 1 || month > 12)) return undefined
  if (day !== undefined && (day < 1 || day > 31)) return undefined
  if (year !== undefined && (year < 1990 || year > 2100)) return undefined
  if (hour !== undefined && (hour < 0 || hour > 23)) return undefined
  if (minute !== undefined && (minute < 0 || minute > 59)) return undefined
  const time: ExtractedTime = { text: text.trim(), relative: false }
  if (year !== undefined) time.year = year
  if (month !== undefined) time.month = month
  if (day !== undefined) time.day = day
  if (hour !== undefined) {
    time.hour = hour
    time.minute = minute ?? 0
  }
  return time
}

function enClock(m: RegExpExecArray, first: number): { hour?: number; minute?: number } {
  const meridiemHour = num(m[first])
  if (meridiemHour !== undefined) return { hour: hourWithMeridiem(meridiemHour, m[first + 2]), minute: num(m[first + 1]) ?? 0 }
  const plainHour = num(m[first + 3])
  if (plainHour !== undefined) return { hour: plainHour, minute: num(m[first + 4]) }
  return {}
}

function zhClock(m: RegExpExecArray, first: number): { hour?: number; minute?: number } {
  const hour = num(m[first + 1])
  if (hour === undefined) return {}
  const minute = num(m[first + 2]) ?? num(m[first + 3]) ?? (m[first + 4] ? 30 : 0)
  return { hour: hourWithMeridiem(hour, m[first]), minute }
}

const RELATIVE_TIME: Rule<ExtractedTime> = {
  // Relative: kept as text for a person to resolve. The only time rule that needs no digit.
  pattern: new RegExp(
    String.raw`(?:大前天|前天|昨天|昨日|昨晚|今天|今日|今早|今晨|刚才|刚刚|(?:上|这|本)(?:周|星期|礼拜)[一二三四五六日天])${ZH_TIME}|\b(?:the day before yesterday|yesterday|today|this (?:morning|afternoon|evening)|last (?:night|monday|tuesday|wednesday|thursday|friday|saturday|sunday|week)|earlier today)${EN_TIME}`,
    'gi',
  ),
  build: (m) => ({ text: m[0].trim(), relative: true }),
}

const TIME_RULES: Rule<ExtractedTime>[] = [
  {
    // 2026年11月3日 14:05, 2026年11月3日下午2点05分
    pattern: new RegExp(String.raw`(\d{4})\s{0,4}年\s{0,4}(\d{1,2})\s{0,4}月\s{0,4}(\d{1,2})\s{0,4}[日号號]${ZH_TIME}`, 'g'),
    build: (m) => makeTime(m[0], { year: num(m[1]), month: num(m[2]), day: num(m[3]), ...zhClock(m, 4) }),
  },
  {
    // 2026-11-03 14:05, 2026/11/03T14:05:33, 2026.11.3
    pattern: /(?<![\d.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:(?:[ T]|\s{1,4})(\d{1,2}):(\d{2})(?::\d{2})?)?(?![\d])/g,
    build: (m) => makeTime(m[0], { year: num(m[1]), month: num(m[3]), day: num(m[4]), hour: num(m[5]), minute: num(m[6]) }),
  },
  {
    // 11月3日 14:05 (year not written)
    pattern: new RegExp(String.raw`(?<!\d)(\d{1,2})\s{0,4}月\s{0,4}(\d{1,2})\s{0,4}[日号號]${ZH_TIME}`, 'g'),
    build: (m) => makeTime(m[0], { month: num(m[1]), day: num(m[2]), ...zhClock(m, 3) }),
  },
  {
    // Nov 3, 2026 2:05pm · November 3rd at 14:05 · Nov 3 2:05pm
    pattern: new RegExp(String.raw`\b${MONTH_NAME}\s{1,4}(\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:,?\s{1,4}(\d{4}))?${EN_TIME}`, 'gi'),
    build: (m) => makeTime(m[0], { month: monthOf(m[1]), day: num(m[2]), year: num(m[3]), ...enClock(m, 4) }),
  },
  {
    // 3 Nov 2026 14:05 · 3rd of November
    pattern: new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?\s{1,4}(?:of\s{1,4})?${MONTH_NAME}(?:,?\s{1,4}(\d{4}))?${EN_TIME}`, 'gi'),
    build: (m) => makeTime(m[0], { day: num(m[1]), month: monthOf(m[2]), year: num(m[3]), ...enClock(m, 4) }),
  },
  {
    // 11/03/2026 (US month first, unless the first number cannot be a month)
    pattern: /(?<![\d/])(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s{1,4}(\d{1,2}):(\d{2}))?(?![\d/])/g,
    build: (m) => {
      const a = num(m[1]) ?? 0
      const b = num(m[2]) ?? 0
      const [month, day] = a > 12 ? [b, a] : [a, b]
      return makeTime(m[0], { year: num(m[3]), month, day, hour: num(m[4]), minute: num(m[5]) })
    },
  },
  RELATIVE_TIME,
]
const RELATIVE_TIME_RULES = [RELATIVE_TIME]

// ---------------------------------------------------------------- amounts

const NUMBER = String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)`
const PREFIX_CURRENCIES: Array<[string, string]> = [
  ['US\\$|USD|美元', 'USD'],
  ['HK\\$|HKD|港币|港幣|港元', 'HKD'],
  ['S\\$|SGD', 'SGD'],
  ['¥|￥|RMB|CNY|人民币|人民幣', 'CNY'],
  ['€|EUR', 'EUR'],
  ['£|GBP', 'GBP'],
  ['\\$', 'USD'],
]
const SUFFIX_CURRENCIES: Array<[string, string]> = [
  ['元人民币|元|块钱|块|塊|rmb|cny|yuan|kuai', 'CNY'],
  ['美元|美金|usd|dollars?|bucks', 'USD'],
  ['港元|港币|港幣|hkd', 'HKD'],
  ['欧元|eur|euros?', 'EUR'],
  ['英镑|gbp|pounds?', 'GBP'],
  ['sgd', 'SGD'],
]
const MULTIPLIER: Record<string, number> = { 百: 100, 千: 1_000, 万: 10_000, 萬: 10_000, k: 1_000 }

function amountValue(number: string | undefined, multiplier: string | undefined): number | undefined {
  if (!number) return undefined
  const value = Number(number.replace(/,/g, '')) * (multiplier ? (MULTIPLIER[multiplier.toLowerCase()] ?? 1) : 1)
  return Number.isFinite(value) ? Math.round(value * 100) / 100 : undefined
}

const AMOUNT_RULES: Rule<ExtractedAmount>[] = [
  ...PREFIX_CURRENCIES.map(([symbols, currency]): Rule<ExtractedAmount> => ({
    // ¥1,299.00 · RMB 500 · 人民币500元 · USD 20 · $20 · 人民币5千元
    pattern: new RegExp(String.raw`(?<![A-Za-z$])(?:${symbols})\s{0,4}${NUMBER}\s{0,4}([百千万萬]|k\b)?\s{0,4}(?:元|块|塊|dollars?)?`, 'gi'),
    build: (m) => {
      const value = amountValue(m[1], m[2])
      return value === undefined ? undefined : { text: m[0].trim(), value, currency }
    },
  })),
  ...SUFFIX_CURRENCIES.map(([words, currency]): Rule<ExtractedAmount> => ({
    // 1299元 · 5千元 · 1.5万元 · 20 dollars · 20 USD
    pattern: new RegExp(String.raw`(?<![\w.,])${NUMBER}\s{0,4}([百千万萬])?\s{0,4}(?:${words})(?![A-Za-z])`, 'gi'),
    build: (m) => {
      const value = amountValue(m[1], m[2])
      return value === undefined ? undefined : { text: m[0].trim(), value, currency }
    },
  })),
]

/**
 * Accounts, transaction IDs, transaction times and amounts found in a message text (already redacted or not: card
 * numbers are never returned). Each list is in text order without duplicates. Pass the brand's official domains as
 * `ignoreDomains` so our own addresses are not taken for the customer's account.
 */
export function extractFields(text: string, options: { ignoreDomains?: string[] } = {}): ExtractedFields {
  // Our own addresses ("I already wrote to support@okpay.com") are not the customer's account.
  const ignored = (options.ignoreDomains ?? []).map((d) => d.toLowerCase())
  const isIgnored = (email: string): boolean => {
    const domain = email.slice(email.lastIndexOf('@') + 1)
    return ignored.some((d) => domain === d || domain.endsWith(`.${d}`))
  }
  // Cheap checks first: an address needs an @, and every rule but the relative times needs a digit (an ID four).
  const hasAt = text.includes('@')
  const hasDigit = /\d/.test(text)
  const emails = hasAt ? (text.match(EMAIL) ?? []).map((e) => e.toLowerCase()).filter((e) => !isIgnored(e)) : []
  const userIds = hasDigit ? collect(text, ACCOUNT_ID_RULES) : []
  const accounts = unique<ExtractedAccount>(
    [
      ...emails.map((value): ExtractedAccount => ({ kind: 'email', value })),
      ...userIds.filter((id) => !id.includes('@')).map((value): ExtractedAccount => ({ kind: 'user_id', value })),
    ],
    (a) => `${a.kind}:${a.value}`,
  )
  const transactionIds = hasDigit ? unique(collect(text, TRANSACTION_ID_RULES), (id) => id) : []
  return {
    accounts,
    transactionIds,
    transactionTimes: unique(collect(text, hasDigit ? TIME_RULES : RELATIVE_TIME_RULES), (t) => t.text),
    amounts: hasDigit ? unique(collect(text, AMOUNT_RULES), (a) => `${a.currency}:${a.value}:${a.text}`) : [],
  }
}

export type MissingFact = 'transaction_id' | 'transaction_time' | 'amount' | 'account_id'

/** What an agent needs for each category before they can act; fraud reports ask for nothing, to not slow them. */
const REQUIRED_FACTS: Record<string, MissingFact[]> = {
  transaction: ['transaction_id', 'transaction_time', 'amount'],
  refund: ['transaction_id', 'amount'],
  withdrawal: ['transaction_time', 'amount'],
  account: ['account_id'],
  kyc: ['account_id'],
  fraud: [],
  other: [],
}

/**
 * The facts an agent will need for this category that the message does not contain, in a stable order:
 * a transaction problem without an ID, time or amount → ['transaction_id', 'transaction_time', 'amount'].
 * The account is known when the customer wrote an email or user ID, or `knownSender` says we know them already.
 */
export function missingFacts(category: string, fields: ExtractedFields, options: { knownSender?: boolean } = {}): MissingFact[] {
  const present: Record<MissingFact, boolean> = {
    transaction_id: fields.transactionIds.length > 0,
    transaction_time: fields.transactionTimes.length > 0,
    amount: fields.amounts.length > 0,
    account_id: fields.accounts.length > 0 || options.knownSender === true,
  }
  return (REQUIRED_FACTS[category] ?? []).filter((fact) => !present[fact])
}
