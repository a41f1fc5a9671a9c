import { describe, expect, it } from 'vitest'
import { readRedactionCorpus, scoreRedactionCorpus } from '../../../test/fixtures/redaction/corpus.ts'
import { FINDING_TYPES, redactSensitiveData, summarizeFindings } from './redact-sensitive-data.ts'

describe('redactSensitiveData', () => {
  it('reports offsets into the input and replaces every finding with its typed marker', () => {
    const input = 'Card 4242 4242 4242 4242, CVV 123, password: hunter22, OTP 845120.'
    const { text, findings } = redactSensitiveData(input)
    expect(findings).toEqual([
      { type: 'card_number', start: 5, end: 24 },
      { type: 'cvv', start: 30, end: 33 },
      { type: 'password', start: 45, end: 53 },
      { type: 'otp', start: 59, end: 65 },
    ])
    expect(findings.map((f) => input.slice(f.start, f.end))).toEqual(['4242 4242 4242 4242', '123', 'hunter22', '845120'])
    expect(text).toBe('Card [card •••• 4242], CVV [CVV removed], password: [password removed], OTP [verification code removed].')
  })

  it('writes markers in the language of the sentence around each finding', () => {
    const input = '我的密码是abc123。\nMy password is abc123.'
    expect(redactSensitiveData(input).text).toBe('我的密码是[密码已删除]。\nMy password is [password removed].')
  })

  it('leaves what agents need: order and transaction IDs, dates, times, amounts, tickets, phones', () => {
    const input = [
      '订单号 4532015112830366，交易编号 6200000000000005，商户号 123456789012',
      'Transaction ID 4242424242424242 on 2024-03-15 14:30, amount ¥1,234.56, ticket OKP-1234',
      'Call me on +86 138 1234 5678 or 13812345678. I forgot my password. 我忘记密码了。',
    ].join('\n')
    expect(redactSensitiveData(input)).toEqual({ text: input, findings: [] })
  })

  it('changes nothing when run on its own output', () => {
    const once = redactSensitiveData(
      '卡号6200000000000005，密码是abc123，验证码：384756，身份证号11010519491231002X，IBAN DE89370400440532013000，账号 12345678901，PIN 1234，CVV 123',
    )
    expect(once.findings).toHaveLength(8)
    expect(redactSensitiveData(once.text)).toEqual({ text: once.text, findings: [] })
  })

  it('counts findings per type without their values', () => {
    const { findings } = redactSensitiveData('card 4242 4242 4242 4242 and 5555 5555 5555 4444, pin 1234')
    expect(summarizeFindings(findings)).toEqual({
      card_number: 2,
      cvv: 0,
      pin: 1,
      password: 0,
      otp: 0,
      cn_resident_id: 0,
      iban: 0,
      bank_account: 0,
    })
  })

  it('handles empty input', () => {
    expect(redactSensitiveData('')).toEqual({ text: '', findings: [] })
  })
})

describe('redaction corpus (test/fixtures/redaction/corpus.jsonl)', () => {
  const cases = readRedactionCorpus()
  const score = scoreRedactionCorpus(cases)

  it('has at least 300 labelled cases in Chinese and English, hard negatives included', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300)
    expect(cases.filter((c) => c.lang === 'zh').length).toBeGreaterThanOrEqual(100)
    expect(cases.filter((c) => c.lang === 'en').length).toBeGreaterThanOrEqual(100)
    expect(cases.filter((c) => c.expected.length === 0).length).toBeGreaterThanOrEqual(100)
  })

  it('labels only substrings that occur in their text', () => {
    for (const testCase of cases) {
      for (const { value } of testCase.expected) expect(testCase.text, testCase.id).toContain(value)
    }
  })

  it.each(FINDING_TYPES)('scores precision and recall of at least 0.98 for %s', (type) => {
    const { precision, recall, truePositives } = score.byType[type]
    expect(truePositives, 'the corpus must exercise every type').toBeGreaterThan(0)
    expect(precision, JSON.stringify(score.mistakes)).toBeGreaterThanOrEqual(0.98)
    expect(recall, JSON.stringify(score.mistakes)).toBeGreaterThanOrEqual(0.98)
  })
})
