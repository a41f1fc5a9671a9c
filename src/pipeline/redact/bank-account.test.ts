import { describe, expect, it } from 'vitest'
import { redactSensitiveData } from './redact-sensitive-data.ts'

function found(text: string): Array<[string, string]> {
  return redactSensitiveData(text).findings.map((f) => [f.type, text.slice(f.start, f.end)])
}

describe('bank account numbers', () => {
  it.each<[string, string, Array<[string, string]>]>([
    ['after "account number"', 'The account number is 12345678901 at BOC', [['bank_account', '12345678901']]],
    ['after 银行账户', '退款请打到我的银行账户：6212260200012345671（工行）', [['bank_account', '6212260200012345671']]],
    ['after 账号', '我的账号是 0200 0012 3456 789', [['bank_account', '0200 0012 3456 789']]],
    ['after 卡号 when it is no valid card', '卡号 6222 0000 1111 2222', [['bank_account', '6222 0000 1111 2222']]],
    ['a labelled account that is a valid card is masked as a card', '账号：6228480402564890018', [['card_number', '6228480402564890018']]],
    ['without a label', 'I was charged 12345678901 times', []],
    ['a phone number used as a login', '我的账号是13812345678，登录不了', []],
    ['an order number', 'order number 12345678901', []],
    ['a label in an earlier sentence', 'Account number? 12345678901', []],
    ['the last four digits only', 'account ending 1234', []],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected)
  })

  it('removes the account number', () => {
    expect(redactSensitiveData('account number 12345678901').text).toBe('account number [account number removed]')
    expect(redactSensitiveData('收款账号 12345678901').text).toBe('收款账号 [账号已删除]')
  })
})
