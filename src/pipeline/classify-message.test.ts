import { describe, expect, it } from 'vitest'
import { evaluateClassifier, loadClassificationCorpus } from '../../test/fixtures/classification/classification-corpus.ts'
import { classifyMessage, type MessageCategory, type MessageUrgency } from './classify-message.ts'

describe('classifyMessage', () => {
  const cases: Array<[string, { subject: string; text: string }, MessageCategory, MessageUrgency]> = [
    ['a stolen account is fraud and urgent', { subject: '账号被盗', text: '有人登录了我的账户把钱转走了' }, 'fraud', 'urgent'],
    ['an unauthorised payment is urgent even when filed as a refund', { subject: 'Refund please', text: 'There is a charge of $89 I never made. Refund it.' }, 'fraud', 'urgent'],
    ['a phishing report is urgent', { subject: 'Phishing', text: 'Got an email from okpay-verify.net asking for my CVV.' }, 'fraud', 'urgent'],
    ['a look-alike domain alone is a phishing signal', { subject: 'Is this you?', text: 'Link: https://okpay-help.cc/login' }, 'fraud', 'urgent'],
    ['the official domain is not a look-alike', { subject: 'Login', text: 'I cannot log in at https://www.okpay.com' }, 'account', 'normal'],
    ['a negated theft is not fraud (zh)', { subject: '登录不了', text: '我没有被盗号，只是换了手机登录不上' }, 'account', 'normal'],
    ['a negated theft is not fraud (en)', { subject: 'Cannot sign in', text: 'Nobody hacked my account, I just cannot sign in.' }, 'account', 'normal'],
    ['a negated scam report is not fraud', { subject: '提现', text: '我不是要举报诈骗，只是问提现多久到账' }, 'withdrawal', 'normal'],
    ['withdrawal beats refund on "提现被退回"', { subject: '提现被退回', text: '提现到银行卡的钱被退回了' }, 'withdrawal', 'normal'],
    ['identity verification is kyc, a verification code is not', { subject: 'Verification code', text: 'The SMS verification code never arrives when I log in.' }, 'account', 'normal'],
    ['Apple Pay is a product question, not a payment problem', { subject: 'Apple Pay?', text: 'Can I add my OKPay card to Apple Pay?' }, 'other', 'normal'],
    ['"API" is an integration cue as a word, not inside "capital" or "rapid"', { subject: 'Password', text: 'My new password needs a capital letter and the app rejects it' }, 'account', 'normal'],
    ['an API question in Chinese is still an integration question', { subject: '接口', text: '我们想用API接入收款' }, 'other', 'normal'],
    ['no cue at all is other', { subject: 'Hello', text: 'Hello there' }, 'other', 'normal'],
    ['an empty message is other', { subject: '', text: '' }, 'other', 'normal'],
  ]
  for (const [name, input, category, urgency] of cases) {
    it(name, () => {
      const result = classifyMessage(input)
      expect({ category: result.category, urgency: result.urgency }).toEqual({ category, urgency })
    })
  }

  it('explains itself with the matched cues, strongest first', () => {
    expect(classifyMessage({ subject: '退款', text: '退款还没到账，订单号 123456' }).signals).toEqual([
      'refund:refund',
      'transaction:failed-or-pending',
      'transaction:order',
    ])
  })
})

describe('classification corpus (test/fixtures/classification)', () => {
  const corpus = loadClassificationCorpus()
  const report = evaluateClassifier(corpus)

  it('has at least 120 labelled messages in both languages and every category', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(120)
    expect(new Set(corpus.map((s) => s.language))).toEqual(new Set(['zh-CN', 'en']))
    for (const score of report.perClass) expect(score.support).toBeGreaterThanOrEqual(15)
  })

  it('reaches accuracy ≥ 0.85 and urgent recall ≥ 0.95', () => {
    expect(report.accuracy).toBeGreaterThanOrEqual(0.85)
    expect(report.urgentRecall).toBeGreaterThanOrEqual(0.95)
  })
})
