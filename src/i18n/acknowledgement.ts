import type { Language } from '../brand.ts'

/**
 * Wording of the acknowledgement a customer receives when a ticket is opened, in zh-CN and en. Written to be read
 * by a worried person: short sentences, what happens next, what to do if it cannot wait.
 */
export interface AcknowledgementStrings {
  fallbackSubject: (p: { brand: string }) => string
  greeting: string
  received: (p: { brand: string; ticket: string }) => string
  firstReply: (p: { due: string }) => string
  businessHours: (p: { hours: string; holidays: boolean }) => string
  missingIntro: string
  missing: Record<string, string>
  urgentIntro: string
  /** Replaces urgentIntro, right after the first paragraph, when the message looks like fraud or account theft. */
  urgentFirst: string
  urgentChat: (p: { url: string }) => string
  redacted: (p: { kinds: string }) => string
  redactedKinds: Record<string, string>
  redactedOther: string
  neverAsk: (p: { brand: string; security: string }) => string
  followUp: (p: { ticket: string; statusUrl: string }) => string
  signOff: (p: { brand: string }) => string
  weekdays: string[]
  everyDay: string
  dayRange: (p: { from: string; to: string }) => string
  aroundTheClock: string
  /** One hotline; `hours` is undefined when the label already says it is open around the clock. */
  hotline: (p: { number: string; label: string; hours?: string }) => string
  joinList: (items: string[]) => string
  formatDue: (p: { year: number; month: number; day: number; weekday: string; time: string; zone: string }) => string
  zoneName: (p: { timeZone: string; offset: string }) => string
}

const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

export const ACKNOWLEDGEMENT_STRINGS: Record<Language, AcknowledgementStrings> = {
  en: {
    fallbackSubject: (p) => `Your message to ${p.brand}`,
    greeting: 'Hello,',
    received: (p) => `Thank you for writing to ${p.brand}. Your message has reached us, and we have opened ticket ${p.ticket} for it.`,
    firstReply: (p) => `A member of our team will reply by ${p.due} at the latest.`,
    businessHours: (p) => `We answer email ${p.hours}${p.holidays ? ', except on public holidays' : ''}.`,
    missingIntro: 'You can help us solve this faster: please reply to this email with:',
    missing: {
      transaction_id: 'the transaction ID or order number (you will find it in the transaction details in the app)',
      transaction_time: 'the date and time of the transaction',
      amount: 'the amount and currency',
      account_id: 'the email address or phone number registered to your account',
    },
    urgentIntro:
      'If it cannot wait, for example if you think someone else is using your account or you see a payment you did not make, please call us rather than wait for email:',
    urgentFirst:
      'Your message may involve fraud or someone else using your account. Please do not wait for our email reply: call us now and we can secure your account straight away.',
    urgentChat: (p) => `You can also chat with us at ${p.url}.`,
    redacted: (p) =>
      `To keep you safe, we removed ${p.kinds} from your message before storing it, so nobody here can see them. We never need these to help you, so please do not send them again.`,
    redactedKinds: {
      card_number: 'a card number (we kept only its last four digits)',
      cvv: 'a card security code (CVV)',
      pin: 'a PIN',
      password: 'a password',
      otp: 'a verification code',
      cn_resident_id: 'an ID card number',
      iban: 'a bank account number (IBAN)',
      bank_account: 'a bank account number',
    },
    redactedOther: 'other sensitive details',
    neverAsk: (p) =>
      `${p.brand} will never ask for your password, PIN or verification codes: not by email, not by phone, not in chat. If anyone does, it is not us; please forward their message to ${p.security}.`,
    followUp: (p) =>
      `To add anything, simply reply to this email and keep ${p.ticket} in the subject, so it all stays in one place. You can check the status of your ticket at any time at ${p.statusUrl}.`,
    signOff: (p) => `Kind regards,\n${p.brand} Customer Support`,
    weekdays: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
    everyDay: 'every day',
    dayRange: (p) => `${p.from} to ${p.to}`,
    aroundTheClock: '24 hours a day',
    hotline: (p) => `${p.number}: ${p.label}${p.hours ? `, ${p.hours}` : ''}`,
    joinList: (items) =>
      items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`,
    formatDue: (p) => `${p.weekday}, ${p.day} ${EN_MONTHS[p.month - 1] ?? ''} ${p.year}, ${p.time} (${p.zone})`,
    zoneName: (p) => (p.timeZone === 'Asia/Shanghai' ? 'Beijing time' : `${p.timeZone.replace(/_/g, ' ')} time, ${p.offset}`),
  },
  'zh-CN': {
    fallbackSubject: (p) => `您发给 ${p.brand} 的邮件`,
    greeting: '您好：',
    received: (p) => `感谢您联系 ${p.brand}。我们已收到您的邮件，并为您创建了工单 ${p.ticket}。`,
    firstReply: (p) => `我们的客服人员最晚将于${p.due}前回复您。`,
    businessHours: (p) => `邮件客服的工作时间为${p.hours}${p.holidays ? '（法定节假日除外）' : ''}。`,
    missingIntro: '为了更快为您处理，请直接回复本邮件，告诉我们：',
    missing: {
      transaction_id: '交易单号或订单号（可在 App 的交易详情中找到）',
      transaction_time: '交易的日期和时间',
      amount: '交易金额和币种',
      account_id: '您账户绑定的邮箱或手机号',
    },
    urgentIntro: '如果情况紧急，例如您怀疑有人在使用您的账户，或发现了不是您本人操作的付款，请不要等待邮件回复，直接致电：',
    urgentFirst: '您的邮件可能涉及欺诈或账户被他人使用。请不要等待邮件回复，立即致电我们，我们可以马上为您保护账户安全：',
    urgentChat: (p) => `您也可以通过在线客服联系我们：${p.url}`,
    redacted: (p) =>
      `为保护您的安全，我们在保存您的邮件前删除了其中的${p.kinds}，工作人员无法看到这些内容。处理您的问题不需要这些信息，请不要再发送。`,
    redactedKinds: {
      card_number: '银行卡号（仅保留后四位）',
      cvv: '银行卡安全码（CVV）',
      pin: 'PIN 码',
      password: '密码',
      otp: '验证码',
      cn_resident_id: '身份证号码',
      iban: '银行账号（IBAN）',
      bank_account: '银行账号',
    },
    redactedOther: '其他敏感信息',
    neverAsk: (p) =>
      `${p.brand} 绝不会通过邮件、电话或在线客服向您索要密码、PIN 码或验证码。如果有人这样做，那一定不是我们，请将相关信息转发至 ${p.security} 举报。`,
    followUp: (p) =>
      `如需补充信息，请直接回复本邮件，并保留主题中的 ${p.ticket}，以便所有内容都记录在同一个工单中。您也可以随时在 ${p.statusUrl} 查询工单进度。`,
    signOff: (p) => `${p.brand} 客服团队`,
    weekdays: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
    everyDay: '每天',
    dayRange: (p) => `${p.from}至${p.to}`,
    aroundTheClock: '24 小时',
    hotline: (p) => `${p.label}：${p.number}${p.hours ? `（${p.hours}）` : ''}`,
    joinList: (items) =>
      items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join('、')}和${items[items.length - 1] ?? ''}`,
    formatDue: (p) => `${p.year}年${p.month}月${p.day}日（${p.weekday}）${p.time}（${p.zone}）`,
    zoneName: (p) => (p.timeZone === 'Asia/Shanghai' ? '北京时间' : `${p.timeZone}，${p.offset}`),
  },
}
