import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { brandSchema, type Brand } from '../brand.ts'
import { renderAcknowledgement, type AcknowledgementInput } from './acknowledgement.ts'

const brand = brandSchema.parse(JSON.parse(readFileSync(new URL('../../config/brand.json', import.meta.url), 'utf8')))

const base: AcknowledgementInput = {
  brand,
  language: 'en',
  ticketNumber: 'OKP-1042',
  subject: 'Re: [OKP-1042] Payment failed',
  dueAt: new Date('2026-11-09T12:30+08:00'),
  missingFacts: ['transaction_id', 'transaction_time', 'amount'],
  redactedKinds: ['card_number', 'password'],
  publicBaseUrl: 'https://help.okpay.com/',
}

describe('renderAcknowledgement', () => {
  it('writes the whole English acknowledgement', () => {
    const mail = renderAcknowledgement(base)
    expect(mail.subject).toBe('[OKP-1042] Payment failed')
    expect(mail.text).toBe(
      [
        'Hello,',
        'Thank you for writing to OKPay. Your message has reached us, and we have opened ticket OKP-1042 for it.',
        'A member of our team will reply by Monday, 9 November 2026, 12:30 (Beijing time) at the latest. We answer email Monday to Friday, 09:00–18:00, except on public holidays.',
        'You can help us solve this faster: please reply to this email with:',
        [
          '  • the transaction ID or order number (you will find it in the transaction details in the app)',
          '  • the date and time of the transaction',
          '  • the amount and currency',
        ].join('\n'),
        'If it cannot wait, for example if you think someone else is using your account or you see a payment you did not make, please call us rather than wait for email:',
        [
          '  • +86 400-820-6699: Lost card and fraud line, 24 hours',
          '  • +86 400-820-6688: Customer service (mainland China), every day, 08:00–22:00',
          '  • +852 3001-6688: Customer service (international), Monday to Friday, 09:00–18:00',
        ].join('\n'),
        'You can also chat with us at https://www.okpay.com/chat.',
        'To keep you safe, we removed a card number (we kept only its last four digits) and a password from your message before storing it, so nobody here can see them. We never need these to help you, so please do not send them again.',
        'OKPay will never ask for your password, PIN or verification codes: not by email, not by phone, not in chat. If anyone does, it is not us; please forward their message to security@okpay.com.',
        'To add anything, simply reply to this email and keep OKP-1042 in the subject, so it all stays in one place. You can check the status of your ticket at any time at https://help.okpay.com/status.',
        'Kind regards,\nOKPay Customer Support',
      ].join('\n\n') + '\n',
    )
  })

  it('writes the whole Chinese acknowledgement', () => {
    const mail = renderAcknowledgement({ ...base, language: 'zh-CN', subject: '回复：付款失败' })
    expect(mail.subject).toBe('[OKP-1042] 付款失败')
    expect(mail.text).toBe(
      [
        '您好：',
        '感谢您联系 OKPay。我们已收到您的邮件，并为您创建了工单 OKP-1042。',
        '我们的客服人员最晚将于2026年11月9日（周一）12:30（北京时间）前回复您。邮件客服的工作时间为周一至周五 09:00–18:00（法定节假日除外）。',
        '为了更快为您处理，请直接回复本邮件，告诉我们：',
        ['  • 交易单号或订单号（可在 App 的交易详情中找到）', '  • 交易的日期和时间', '  • 交易金额和币种'].join('\n'),
        '如果情况紧急，例如您怀疑有人在使用您的账户，或发现了不是您本人操作的付款，请不要等待邮件回复，直接致电：',
        [
          '  • 挂失与欺诈举报专线（24 小时）：+86 400-820-6699',
          '  • 客服热线（中国大陆）：+86 400-820-6688（每天 08:00–22:00）',
          '  • 客服热线（海外）：+852 3001-6688（周一至周五 09:00–18:00）',
        ].join('\n'),
        '您也可以通过在线客服联系我们：https://www.okpay.com/chat',
        '为保护您的安全，我们在保存您的邮件前删除了其中的银行卡号（仅保留后四位）和密码，工作人员无法看到这些内容。处理您的问题不需要这些信息，请不要再发送。',
        'OKPay 绝不会通过邮件、电话或在线客服向您索要密码、PIN 码或验证码。如果有人这样做，那一定不是我们，请将相关信息转发至 security@okpay.com 举报。',
        '如需补充信息，请直接回复本邮件，并保留主题中的 OKP-1042，以便所有内容都记录在同一个工单中。您也可以随时在 https://help.okpay.com/status 查询工单进度。',
        'OKPay 客服团队',
      ].join('\n\n') + '\n',
    )
  })

  it('leaves out the missing-facts list and the redaction note when there is nothing to say', () => {
    const mail = renderAcknowledgement({ ...base, missingFacts: [], redactedKinds: [] })
    expect(mail.text).not.toContain('please reply to this email with')
    expect(mail.text).not.toContain('we removed')
    expect(mail.text).toContain('OKPay will never ask for your password, PIN or verification codes')
  })

  it('names unknown redaction kinds generically and lists each kind once', () => {
    const mail = renderAcknowledgement({ ...base, redactedKinds: ['otp', 'otp', 'something_new'] })
    expect(mail.text).toContain('we removed a verification code and other sensitive details from your message')
  })

  const subjects: Array<[string, string, string]> = [
    ['empty subject (en)', '', '[OKP-1042] Your message to OKPay'],
    ['only reply prefixes (zh)', '回复：', '[OKP-1042] 您发给 OKPay 的邮件'],
    ['header injection attempt', 'Help\r\nBcc: victim@example.com', '[OKP-1042] Help Bcc: victim@example.com'],
  ]
  for (const [name, subject, expected] of subjects) {
    it(`subject: ${name}`, () => {
      const language = name.includes('(zh)') ? 'zh-CN' : 'en'
      expect(renderAcknowledgement({ ...base, language, subject }).subject).toBe(expected)
    })
  }

  it('escapes the subject in HTML and links only our URLs and addresses', () => {
    const mail = renderAcknowledgement({ ...base, subject: '<script>alert("x")</script> & more' })
    expect(mail.subject).toBe('[OKP-1042] <script>alert("x")</script> & more')
    expect(mail.html).toContain('<title>[OKP-1042] &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</title>')
    expect(mail.html).not.toContain('<script>')
    expect(mail.html).toContain('<a href="https://www.okpay.com/chat">https://www.okpay.com/chat</a>.')
    expect(mail.html).toContain('<a href="mailto:security@okpay.com">security@okpay.com</a>')
    expect(mail.html).toContain('<li>the date and time of the transaction</li>')
    expect(mail.html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/)
  })

  it('puts the hotlines first for an urgent message', () => {
    const mail = renderAcknowledgement({ ...base, isUrgent: true, missingFacts: [] })
    const paragraphs = mail.text.split('\n\n')
    expect(paragraphs.slice(2, 4)).toEqual([
      'Your message may involve fraud or someone else using your account. Please do not wait for our email reply: call us now and we can secure your account straight away.',
      [
        '  • +86 400-820-6699: Lost card and fraud line, 24 hours',
        '  • +86 400-820-6688: Customer service (mainland China), every day, 08:00–22:00',
        '  • +852 3001-6688: Customer service (international), Monday to Friday, 09:00–18:00',
      ].join('\n'),
    ])
    expect(mail.text).not.toContain('If it cannot wait')
  })

  it('formats the due time in the brand time zone with its UTC offset (New York, after DST ends)', () => {
    const newYorkBrand: Brand = {
      ...brand,
      businessHours: { timeZone: 'America/New_York', days: [1, 2, 3, 4, 5, 6], start: '08:00', end: '20:00' },
      holidayCalendars: [],
      holidays: [],
    }
    const mail = renderAcknowledgement({ ...base, brand: newYorkBrand, dueAt: new Date('2026-11-02T14:30Z') })
    expect(mail.text).toContain(
      'A member of our team will reply by Monday, 2 November 2026, 09:30 (America/New York time, UTC−5) at the latest. We answer email Monday to Saturday, 08:00–20:00.',
    )
  })
})
