import { describe, expect, it } from 'vitest'
import { redactSensitiveData } from './redact-sensitive-data.ts'

function found(text: string): Array<[string, string]> {
  return redactSensitiveData(text).findings.map((f) => [f.type, text.slice(f.start, f.end)])
}

describe('CVV codes', () => {
  it.each<[string, string, Array<[string, string]>]>([
    ['CVV then digits', 'CVV 123', [['cvv', '123']]],
    ['CVC2 with a colon', 'cvc2: 9876', [['cvv', '9876']]],
    ['"on the back is"', 'The CVC on the back is 958.', [['cvv', '958']]],
    ['安全码', '安全码是 321，请核实', [['cvv', '321']]],
    ['卡背面三位数', '卡背面三位数是456', [['cvv', '456']]],
    ['security code with 3 digits', 'security code 777', [['cvv', '777']]],
    ['three digits without a label', 'I paid 123 yuan', []],
    ['a two-digit value', 'CVV: 12', []],
    ['a question about CVVs', 'Does OKPay ever ask for my CVV by email?', []],
    ['a five-digit value', 'CVV 12345', []],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected)
  })

  it('removes the CVV with a marker in the language of the sentence', () => {
    expect(redactSensitiveData('CVV 123').text).toBe('CVV [CVV removed]')
    expect(redactSensitiveData('安全码是 321').text).toBe('安全码是 [安全码已删除]')
  })
})
