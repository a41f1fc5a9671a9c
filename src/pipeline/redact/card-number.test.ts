import { describe, expect, it } from 'vitest'
import { findCardNetwork, isCardNumber, isLuhnValid } from './card-number.ts'
import { redactSensitiveData } from './redact-sensitive-data.ts'

function found(text: string): Array<[string, string]> {
  return redactSensitiveData(text).findings.map((f) => [f.type, text.slice(f.start, f.end)])
}

describe('card numbers', () => {
  it.each([
    ['4242424242424242', true],
    ['4242424242424241', false],
    ['79927398713', true],
    ['0', true],
    ['', false],
  ])('Luhn of %j is %s', (digits, valid) => {
    expect(isLuhnValid(digits)).toBe(valid)
  })

  it.each([
    ['4242424242424242', 'visa'],
    ['4222222222222', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['378282246310005', 'amex'],
    ['6011111111111117', 'discover'],
    ['6200000000000005', 'unionpay'],
    ['3530111333300000', 'jcb'],
    ['36227206271667', 'diners'],
    ['9999999999999995', undefined],
    ['4242424242424', 'visa'],
    ['42424242424242', undefined], // Visa is never 14 digits
  ])('issuer of %s is %s', (digits, network) => {
    expect(findCardNetwork(digits)).toBe(network)
  })

  it('rejects a Luhn-valid number outside every issuer range', () => {
    expect(isLuhnValid('1234567812345670')).toBe(true)
    expect(isCardNumber('1234567812345670')).toBe(false)
  })

  it.each<[string, string, Array<[string, string]>]>([
    ['a Luhn-valid PAN with spaces', 'my card 4242 4242 4242 4242 was declined', [['card_number', '4242 4242 4242 4242']]],
    ['a PAN with dashes', 'card: 5555-5555-5555-4444.', [['card_number', '5555-5555-5555-4444']]],
    ['an Amex in 4-6-5 groups', 'Amex 3782 822463 10005 please', [['card_number', '3782 822463 10005']]],
    ['a PAN typed in full-width digits', '卡号：６２００　００００　００００　０００５', [['card_number', '６２００　００００　００００　０００５']]],
    ['a PAN glued to Chinese text', '卡号6200000000000005被扣款', [['card_number', '6200000000000005']]],
    ['a PAN followed by an expiry in the same run', 'card 4242 4242 4242 4242 12 26', [['card_number', '4242 4242 4242 4242']]],
    ['a card after a phone or app word', 'I added the card in the mobile app: 4242 4242 4242 4242', [['card_number', '4242 4242 4242 4242']]],
    ['an order number that merely looks like a PAN', 'Order number: 4242424242424242', []],
    ['a transaction ID that passes Luhn', 'transaction ID 4242 4242 4242 4242 failed', []],
    ['a 交易编号 that passes Luhn', '交易编号：6200000000000005', []],
    ['a Luhn-invalid card-like number', 'number 4242 4242 4242 4241 on the letter', []],
    ['a PAN inside an alphanumeric token', 'TXN4242424242424242', []],
    ['a ticket-style token', 'OKP-4242424242424242', []],
    ['an international phone number', 'call +86 138 1234 5678 1234', []],
    ['a card after an order number with its own digits', 'Order 12345 paid with 4242 4242 4242 4242', [['card_number', '4242 4242 4242 4242']]],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected)
  })

  it('masks a card to its last four digits', () => {
    expect(redactSensitiveData('card 4242 4242 4242 4242 ok').text).toBe('card [card •••• 4242] ok')
    expect(redactSensitiveData('卡号 6200 0000 0000 0005 被扣款').text).toBe('卡号 [银行卡 •••• 0005] 被扣款')
    const fullWidth = '6200000000000005'.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))
    expect(redactSensitiveData(`卡号${fullWidth}`).text).toBe('卡号[银行卡 •••• 0005]')
  })
})
