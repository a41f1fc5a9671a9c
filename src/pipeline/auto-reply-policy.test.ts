import { describe, expect, it } from 'vitest'
import { addressOf, AUTOMATIC_MAIL_HEADERS, isAutomaticReply, isBounce, shouldAutoReply, type MailHeader } from './auto-reply-policy.ts'

const own = ['support@okpay.com', 'security@okpay.com', 'noreply@okpay.com']
const h = (key: string, value: string): MailHeader => ({ key, value })

describe('shouldAutoReply', () => {
  const cases: Array<[string, MailHeader[], string | undefined, string | undefined]> = [
    ['an ordinary customer message', [h('Subject', 'Refund')], 'Li Lei <lilei@example.com>', undefined],
    ['Auto-Submitted: no (explicitly a person)', [h('Auto-Submitted', 'no')], 'lilei@example.com', undefined],
    ['a Precedence we do not know', [h('Precedence', 'first-class')], 'lilei@example.com', undefined],
    ['X-Auto-Response-Suppress: DR, RN only (receipts)', [h('X-Auto-Response-Suppress', 'DR, RN, NRN')], 'a@example.com', undefined],
    ['no From at all', [], undefined, 'no-sender'],
    ['a From without an address', [], 'undisclosed-recipients:;', 'no-sender'],
    ['our own support address', [], 'OKPay Support <Support@OKPay.com>', 'own-address'],
    ['MAILER-DAEMON', [], 'Mail Delivery System <MAILER-DAEMON@mx.example.com>', 'system-sender'],
    ['postmaster', [], 'postmaster@example.com', 'system-sender'],
    ['no-reply', [], 'no-reply@shop.example', 'system-sender'],
    ['noreply with a tag', [], 'noreply+abc@bank.example', 'system-sender'],
    ['do_not_reply', [], 'do_not_reply@bank.example', 'system-sender'],
    ['a list owner (RFC 3834)', [], 'owner-payments@lists.example', 'system-sender'],
    ['a list -request address', [], 'payments-request@lists.example', 'system-sender'],
    ['Return-Path <>', [h('Return-Path', '<>')], 'alerts@example.com', 'null-return-path'],
    ['Auto-Submitted: auto-replied', [h('Auto-Submitted', 'auto-replied')], 'a@example.com', 'auto-submitted'],
    ['Auto-Submitted: auto-generated with a comment', [h('auto-submitted', 'Auto-Generated (notification)')], 'a@example.com', 'auto-submitted'],
    ['Auto-Submitted: auto-notified; owner-email', [h('Auto-Submitted', 'auto-notified; owner-email="x@example.com"')], 'a@example.com', 'auto-submitted'],
    ['Precedence: bulk', [h('Precedence', 'bulk')], 'news@example.com', 'precedence'],
    ['Precedence: list', [h('Precedence', 'List')], 'a@example.com', 'precedence'],
    ['Precedence: junk', [h('Precedence', 'junk')], 'a@example.com', 'precedence'],
    ['List-Id', [h('List-Id', '<payments.lists.example>')], 'a@example.com', 'mailing-list'],
    ['List-Unsubscribe', [h('List-Unsubscribe', '<mailto:unsub@example.com>')], 'a@example.com', 'mailing-list'],
    ['X-Autoreply', [h('X-Autoreply', 'yes')], 'a@example.com', 'auto-reply-header'],
    ['X-Autorespond', [h('X-Autorespond', 'Out of office')], 'a@example.com', 'auto-reply-header'],
    ['X-Auto-Response-Suppress: All', [h('X-Auto-Response-Suppress', 'All')], 'a@example.com', 'auto-response-suppressed'],
    ['X-Auto-Response-Suppress: OOF, AutoReply', [h('X-Auto-Response-Suppress', 'OOF, AutoReply')], 'a@example.com', 'auto-response-suppressed'],
    ['Feedback-ID (bulk sender)', [h('Feedback-ID', 'a:b:c:esp')], 'promo@shop.example', 'bulk-sender'],
    ['X-Loop', [h('X-Loop', 'helpdesk@example.com')], 'a@example.com', 'loop-header'],
  ]
  it('a From that DMARC proves forged → forged-sender, whatever else the message says', () => {
    expect(shouldAutoReply({ headers: [], from: 'Li Lei <lilei@example.com>', ownAddresses: own, senderForged: true })).toEqual({ allowed: false, reason: 'forged-sender' })
  })
  for (const [name, headers, from, reason] of cases) {
    it(`${name} → ${reason ?? 'allowed'}`, () => {
      const decision = shouldAutoReply({ headers, from, ownAddresses: own, senderForged: false })
      expect(decision).toEqual(reason ? { allowed: false, reason } : { allowed: true })
    })
  }
})

describe('isAutomaticReply', () => {
  const cases: Array<[string, MailHeader[], string, boolean]> = [
    ['Auto-Submitted: auto-replied', [h('Auto-Submitted', 'auto-replied')], 'Re: Refund', true],
    ['X-Autoreply header', [h('X-Autoreply', 'yes')], 'Re: Refund', true],
    ['Precedence: auto_reply', [h('Precedence', 'auto_reply')], 'Re: Refund', true],
    ['"Out of Office" subject', [], 'Out of Office: [OKP-1042] Refund', true],
    ['"Automatic reply:" subject (Outlook)', [], 'Automatic reply: [OKP-1042] Refund', true],
    ['"Auto-Reply" subject', [], 'Auto-Reply: your message', true],
    ['"自动回复：" subject', [], '自动回复：[OKP-1042] 退款', true],
    ['"自動回覆" subject', [], '自動回覆: 退款', true],
    ['"休假中" subject', [], '【休假中】感谢来信', true],
    ['"休假：" subject', [], '休假：11月3日前不在', true],
    ['a customer who was on holiday', [], '休假期间我的卡被盗刷', false],
    ['a customer asking about automatic replies', [], 'Why did I only get an automatic reply?', false],
    ['Auto-Submitted: no', [h('Auto-Submitted', 'no')], 'Re: Refund', false],
    ['an ordinary reply', [], 'Re: [OKP-1042] Refund', false],
  ]
  for (const [name, headers, subject, expected] of cases) {
    it(`${name} → ${expected}`, () => expect(isAutomaticReply(headers, subject)).toBe(expected))
  }
})

describe('isBounce', () => {
  const cases: Array<[string, MailHeader[], string | undefined, boolean]> = [
    ['RFC 3464 DSN', [], 'multipart/report; report-type=delivery-status; boundary="x"', true],
    ['DSN with a quoted report-type', [], 'Multipart/Report; boundary=x; report-type="delivery-status"', true],
    ['content type only in the headers', [h('Content-Type', 'multipart/report; report-type=delivery-status')], undefined, true],
    ['Exim X-Failed-Recipients', [h('X-Failed-Recipients', 'lilei@example.com')], 'text/plain', true],
    ['From MAILER-DAEMON', [h('From', 'Mail Delivery Subsystem <MAILER-DAEMON@googlemail.com>')], 'text/plain', true],
    ['From postmaster', [h('From', 'postmaster@outlook.com')], 'multipart/mixed', true],
    ['read receipt (MDN) is not a bounce', [h('From', 'lilei@example.com')], 'multipart/report; report-type=disposition-notification', false],
    ['an ordinary message', [h('From', 'lilei@example.com')], 'text/plain; charset=utf-8', false],
  ]
  for (const [name, headers, contentType, expected] of cases) {
    it(`${name} → ${expected}`, () => expect(isBounce(headers, contentType)).toBe(expected))
  }
})

describe('addressOf', () => {
  it('takes the angle-bracket address, else the bare one', () => {
    expect(addressOf('"Li, Lei" <LiLei@Example.com>')).toBe('lilei@example.com')
    expect(addressOf('lilei@example.com (Li Lei)')).toBe('lilei@example.com')
  })
})

describe('AUTOMATIC_MAIL_HEADERS', () => {
  it('make our own automatic mail unanswerable by our own policy', () => {
    const headers = [...AUTOMATIC_MAIL_HEADERS]
    expect(shouldAutoReply({ headers, from: 'someone@example.com', ownAddresses: own, senderForged: false })).toEqual({ allowed: false, reason: 'auto-submitted' })
    expect(isAutomaticReply(headers, '[OKP-1042] Refund')).toBe(true)
  })
})
