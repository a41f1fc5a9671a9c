import type { Brand, Language, WeeklyHours } from '../brand.ts'

const WEEKDAY_INDEX: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }

/** ISO weekday (1 = Monday) and minutes since midnight of `at` in `timeZone`. */
export function localWeekdayAndMinutes(at: Date, timeZone: string): { weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return { weekday: WEEKDAY_INDEX[get('weekday')] ?? 1, minutes: Number(get('hour')) * 60 + Number(get('minute')) }
}

function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':')
  return Number(h) * 60 + Number(m)
}

/** True when `at` falls inside the weekly hours, read in the brand's time zone (pure: time is a parameter). */
export function isOpenAt(hours: WeeklyHours, timeZone: string, at: Date): boolean {
  const { weekday, minutes } = localWeekdayAndMinutes(at, timeZone)
  if (!hours.days.includes(weekday)) return false
  return minutes >= clockMinutes(hours.start) && minutes < clockMinutes(hours.end)
}

const DAY_NAMES: Record<Language, string[]> = {
  en: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
  'zh-CN': ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
}

/** "Mon–Fri 09:00–18:00" / "周一至周五 09:00–18:00" / "every day, 24 hours". */
export function describeHours(hours: WeeklyHours, lang: Language): string {
  const days = [...new Set(hours.days)].sort((a, b) => a - b)
  const names = DAY_NAMES[lang]
  const allDay = hours.start === '00:00' && hours.end === '24:00'
  const contiguous = days.every((d, i) => i === 0 || d === (days[i - 1] ?? 0) + 1)
  let dayText: string
  if (days.length === 7) dayText = lang === 'en' ? 'Every day' : '每天'
  else if (contiguous && days.length > 2) dayText = `${names[(days[0] ?? 1) - 1]}${lang === 'en' ? '–' : '至'}${names[(days.at(-1) ?? 1) - 1]}`
  else dayText = days.map((d) => names[d - 1]).join(lang === 'en' ? ', ' : '、')
  const time = allDay ? (lang === 'en' ? '24 hours' : '24 小时') : `${hours.start}–${hours.end}`
  return `${dayText} ${time}`
}

const NETWORK_NAMES: Record<string, Record<Language, string>> = {
  weibo: { en: 'Weibo', 'zh-CN': '微博' },
  wechat: { en: 'WeChat', 'zh-CN': '微信' },
  x: { en: 'X (Twitter)', 'zh-CN': 'X（推特）' },
  douyin: { en: 'Douyin', 'zh-CN': '抖音' },
  xiaohongshu: { en: 'Xiaohongshu', 'zh-CN': '小红书' },
  linkedin: { en: 'LinkedIn', 'zh-CN': '领英' },
  facebook: { en: 'Facebook', 'zh-CN': 'Facebook' },
  instagram: { en: 'Instagram', 'zh-CN': 'Instagram' },
}

/** "China Standard Time" / "中国标准时间" for Asia/Shanghai; the IANA name when the runtime has no better one. */
export function timeZoneName(timeZone: string, lang: Language, at: Date): string {
  const part = new Intl.DateTimeFormat(lang, { timeZone, timeZoneName: 'long' }).formatToParts(at).find((p) => p.type === 'timeZoneName')
  return part?.value ?? timeZone
}

export interface OfficialChannels {
  brand: string
  language: Language
  officialDomains: string[]
  website: string
  addresses: Array<{ purpose: 'support' | 'security'; address: string; description: string }>
  hotlines: Array<{ number: string; label: string; hours: string; timeZone: string; timeZoneName: string; openNow: boolean }>
  liveChat: { url: string }
  feedbackForm: { url: string }
  social: Array<{ network: string; networkName: string; handle: string; url: string }>
  verifierUrl: string
  neverAskFor: string[]
}

const ADDRESS_PURPOSE: Record<Language, Record<'support' | 'security', string>> = {
  en: {
    support: 'Questions about payments, your account, refunds and withdrawals',
    security: 'Report a suspicious email, text message, website or call that uses our name',
  },
  'zh-CN': {
    support: '付款、账户、退款、提现等问题',
    security: '举报冒用我们名义的可疑邮件、短信、网站或来电',
  },
}

export const NEVER_ASK_FOR: Record<Language, string[]> = {
  en: [
    'your login or payment password',
    'your PIN',
    'verification codes sent to you by SMS or email',
    'your full card number or the CVV on the back of your card',
    'remote access to your phone or computer, or a transfer to a "safe account"',
  ],
  'zh-CN': [
    '登录密码或支付密码',
    'PIN 码',
    '短信或邮件验证码',
    '完整银行卡号或卡背面的 CVV 安全码',
    '远程控制您的手机或电脑，或要求您把钱转到所谓的“安全账户”',
  ],
}

/** Every official channel from the brand config, in one language, with hotline opening state at `now`. */
export function listOfficialChannels(brand: Brand, lang: Language, now: Date, publicUrl: string): OfficialChannels {
  const tz = brand.businessHours.timeZone
  return {
    brand: brand.name,
    language: lang,
    officialDomains: [...brand.officialDomains],
    website: brand.website,
    addresses: (['support', 'security'] as const).map((purpose) => ({
      purpose,
      address: brand.addresses[purpose],
      description: ADDRESS_PURPOSE[lang][purpose],
    })),
    hotlines: brand.hotlines.map((h) => ({
      number: h.number,
      label: h.label[lang],
      hours: describeHours(h.hours, lang),
      timeZone: tz,
      timeZoneName: timeZoneName(tz, lang, now),
      openNow: isOpenAt(h.hours, tz, now),
    })),
    liveChat: { url: brand.liveChatUrl },
    feedbackForm: { url: brand.feedbackFormUrl },
    social: brand.social.map((s) => ({ ...s, networkName: NETWORK_NAMES[s.network.toLowerCase()]?.[lang] ?? s.network })),
    verifierUrl: `${publicUrl}/verify`,
    neverAskFor: NEVER_ASK_FOR[lang],
  }
}
