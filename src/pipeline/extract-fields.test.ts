import { describe, expect, it } from 'vitest'
import { extractFields, looksLikeCardNumber, missingFacts, type ExtractedFields } from './extract-fields.ts'

describe('extractFields: transaction IDs', () => {
  const cases: Array<[string, string, string[]]> = [
    ['交易号 with a full-width colon', '交易号：4200001234202611031234567890，请查一下', ['4200001234202611031234567890']],
    ['交易单号 and 订单号', '交易单号 T2026110312345，订单号是2026110300123', ['T2026110312345', '2026110300123']],
    ['流水号', '银行流水号为 BK98765432100', ['BK98765432100']],
    ['Transaction ID', 'Transaction ID: TX20261103001, thanks', ['TX20261103001']],
    ['txn', 'txn 98765432 failed', ['98765432']],
    ['order no.', 'order no. 2026110300123 was charged twice', ['2026110300123']],
    ['order #', 'Order #A1B2C3D4E5F6 never arrived', ['A1B2C3D4E5F6']],
    ['reference is', 'the payment reference is PAY-2026-000042.', ['PAY-2026-000042']],
    ['a word after the context word is not an ID', 'The transaction was cancelled and my order number is missing', []],
    ['bare digit runs are not IDs', 'I paid 2026110300123 yuan?', []],
    ['a card number after "transaction ID" is not an ID', 'transaction ID 4111111111111111', []],
    ['a UnionPay card after 交易号 is not an ID', '交易号 6222021234567890128', []],
    ['a card number written with spaces is never an ID', 'My card 4111 1111 1111 1111 was charged', []],
    ['an email after the context word is not an ID', 'order confirmation sent to lilei2026@example.com', []],
    ['the same ID twice is listed once', '订单号 2026110300123 … order no. 2026110300123', ['2026110300123']],
  ]
  for (const [name, text, expected] of cases) {
    it(name, () => expect(extractFields(text).transactionIds).toEqual(expected))
  }
})

describe('extractFields: accounts', () => {
  const cases: Array<[string, string, ExtractedFields['accounts']]> = [
    ['emails, lowercased', 'My account is LiLei@Example.com', [{ kind: 'email', value: 'lilei@example.com' }]],
    ['user ID in English', 'user ID 88012345, username lilei_2026', [
      { kind: 'user_id', value: '88012345' },
      { kind: 'user_id', value: 'lilei_2026' },
    ]],
    ['账号 and 用户名', '我的账号是 13800138000，用户名 lilei_2026，账户余额不对', [
      { kind: 'user_id', value: '13800138000' },
      { kind: 'user_id', value: 'lilei_2026' },
    ]],
    ['"account was hacked" has no ID', 'My account was hacked yesterday', []],
    ['a card number after 账号 is not an account', '账号 4111111111111111', []],
  ]
  for (const [name, text, expected] of cases) {
    it(name, () => expect(extractFields(text).accounts).toEqual(expected))
  }
  it('ignores addresses in our own domains and their subdomains', () => {
    const text = 'I wrote to support@okpay.com and help@mail.okpay.com from lilei@example.com'
    expect(extractFields(text, { ignoreDomains: ['okpay.com'] }).accounts).toEqual([{ kind: 'email', value: 'lilei@example.com' }])
  })
})

describe('extractFields: transaction times', () => {
  const cases: Array<[string, string, ExtractedFields['transactionTimes']]> = [
    ['2026年11月3日 14:05', '2026年11月3日 14:05 付款', [{ text: '2026年11月3日 14:05', relative: false, year: 2026, month: 11, day: 3, hour: 14, minute: 5 }]],
    ['2026年11月3日下午2点05分', '于2026年11月3日下午2点05分', [{ text: '2026年11月3日下午2点05分', relative: false, year: 2026, month: 11, day: 3, hour: 14, minute: 5 }]],
    ['2026-11-03 14:05', 'at 2026-11-03 14:05 UTC+8', [{ text: '2026-11-03 14:05', relative: false, year: 2026, month: 11, day: 3, hour: 14, minute: 5 }]],
    ['2026/11/3 without a time', 'on 2026/11/3', [{ text: '2026/11/3', relative: false, year: 2026, month: 11, day: 3 }]],
    ['Nov 3 2:05pm', 'paid on Nov 3 2:05pm.', [{ text: 'Nov 3 2:05pm', relative: false, month: 11, day: 3, hour: 14, minute: 5 }]],
    ['November 3rd, 2026 at 9:15 a.m.', 'November 3rd, 2026 at 9:15 a.m.', [{ text: 'November 3rd, 2026 at 9:15 a.m.', relative: false, year: 2026, month: 11, day: 3, hour: 9, minute: 15 }]],
    ['3 Nov 2026 14:05', 'on 3 Nov 2026 14:05', [{ text: '3 Nov 2026 14:05', relative: false, year: 2026, month: 11, day: 3, hour: 14, minute: 5 }]],
    ['US 11/03/2026', 'on 11/03/2026', [{ text: '11/03/2026', relative: false, year: 2026, month: 11, day: 3 }]],
    ['day-first 25/11/2026', 'on 25/11/2026', [{ text: '25/11/2026', relative: false, year: 2026, month: 11, day: 25 }]],
    ['11月3日下午2点半', '11月3日下午2点半付的款', [{ text: '11月3日下午2点半', relative: false, month: 11, day: 3, hour: 14, minute: 30 }]],
    ['昨天 stays text', '昨天转账失败', [{ text: '昨天', relative: true }]],
    ['昨天下午3点 stays text', '昨天下午3点转账', [{ text: '昨天下午3点', relative: true }]],
    ['yesterday at 3pm stays text', 'yesterday at 3pm I paid', [{ text: 'yesterday at 3pm', relative: true }]],
    ['上周五', '上周五付的款', [{ text: '上周五', relative: true }]],
    ['an impossible date is ignored', '2026-13-45', []],
  ]
  for (const [name, text, expected] of cases) {
    it(name, () => expect(extractFields(text).transactionTimes).toEqual(expected))
  }
})

describe('extractFields: amounts', () => {
  const cases: Array<[string, Array<[string, number, string]>]> = [
    ['¥1,299.00', [['¥1,299.00', 1299, 'CNY']]],
    ['￥88.5', [['￥88.5', 88.5, 'CNY']]],
    ['1299元', [['1299元', 1299, 'CNY']]],
    ['RMB 500', [['RMB 500', 500, 'CNY']]],
    ['人民币500元', [['人民币500元', 500, 'CNY']]],
    ['5千元', [['5千元', 5000, 'CNY']]],
    ['1.5万元', [['1.5万元', 15000, 'CNY']]],
    ['300块钱', [['300块钱', 300, 'CNY']]],
    ['USD 20', [['USD 20', 20, 'USD']]],
    ['$20', [['$20', 20, 'USD']]],
    ['US$1,000.50', [['US$1,000.50', 1000.5, 'USD']]],
    ['20 dollars', [['20 dollars', 20, 'USD']]],
    ['HK$300', [['HK$300', 300, 'HKD']]],
    ['€15 and 10 GBP', [['€15', 15, 'EUR'], ['10 GBP', 10, 'GBP']]],
    ['订单号 2026110300123 no amount', []],
    ['3 items, 2 days', []],
  ]
  for (const [text, expected] of cases) {
    it(`"${text}"`, () =>
      expect(extractFields(text).amounts).toEqual(expected.map(([t, value, currency]) => ({ text: t, value, currency }))))
  }
})

describe('extractFields: a whole message', () => {
  it('finds every field of a typical Chinese complaint', () => {
    const text = '您好，我的账号 lilei@example.com 在2026年11月3日 14:05 支付了¥1,299.00，交易单号 4200001234202611031234567890，但订单显示未支付。'
    expect(extractFields(text)).toEqual({
      accounts: [{ kind: 'email', value: 'lilei@example.com' }],
      transactionIds: ['4200001234202611031234567890'],
      transactionTimes: [{ text: '2026年11月3日 14:05', relative: false, year: 2026, month: 11, day: 3, hour: 14, minute: 5 }],
      amounts: [{ text: '¥1,299.00', value: 1299, currency: 'CNY' }],
    })
  })
})

describe('looksLikeCardNumber', () => {
  const cases: Array<[string, boolean]> = [
    ['4111111111111111', true],
    ['4111 1111 1111 1111', true],
    ['6222021234567890128', true],
    ['4111111111111112', false], // Luhn fails
    ['2026110300123', false], // order number: 13 digits, no issuer prefix
    ['4200001234202611031234567890', false], // 28 digits
  ]
  for (const [value, expected] of cases) it(`${value} → ${expected}`, () => expect(looksLikeCardNumber(value)).toBe(expected))
})

describe('missingFacts', () => {
  const none: ExtractedFields = { accounts: [], transactionIds: [], transactionTimes: [], amounts: [] }
  const full: ExtractedFields = {
    accounts: [{ kind: 'email', value: 'a@example.com' }],
    transactionIds: ['TX1234567'],
    transactionTimes: [{ text: '昨天', relative: true }],
    amounts: [{ text: '$20', value: 20, currency: 'USD' }],
  }
  const cases: Array<[string, ExtractedFields, { knownSender?: boolean }, string[]]> = [
    ['transaction', none, {}, ['transaction_id', 'transaction_time', 'amount']],
    ['transaction', { ...none, transactionIds: ['TX1234567'] }, {}, ['transaction_time', 'amount']],
    ['transaction', full, {}, []],
    ['refund', none, {}, ['transaction_id', 'amount']],
    ['withdrawal', none, {}, ['transaction_time', 'amount']],
    ['account', none, {}, ['account_id']],
    ['account', none, { knownSender: true }, []],
    ['kyc', full, {}, []],
    ['fraud', none, {}, []],
    ['other', none, {}, []],
  ]
  for (const [category, fields, options, expected] of cases) {
    it(`${category} with ${JSON.stringify(options)} → [${expected.join(', ')}]`, () => {
      expect(missingFacts(category, fields, options)).toEqual(expected)
    })
  }
})
