import { describe, expect, it } from 'vitest'
import { isIbanChecksumValid } from './iban.ts'
import { redactSensitiveData } from './redact-sensitive-data.ts'

function found(text: string): Array<[string, string]> {
  return redactSensitiveData(text).findings.map((f) => [f.type, text.slice(f.start, f.end)])
}

describe('IBANs', () => {
  it.each([
    ['DE89370400440532013000', true],
    ['GB82WEST12345698765432', true],
    ['GB82WEST12345698765433', false],
    ['DE88370400440532013000', false],
  ])('mod-97 of %s is valid: %s', (iban, valid) => {
    expect(isIbanChecksumValid(iban)).toBe(valid)
  })

  it.each<[string, string, Array<[string, string]>]>([
    ['printed in groups', 'IBAN DE89 3704 0044 0532 0130 00 thanks', [['iban', 'DE89 3704 0044 0532 0130 00']]],
    ['compact', 'to GB82WEST12345698765432.', [['iban', 'GB82WEST12345698765432']]],
    ['in Chinese text', '请退款到IBAN：DE89370400440532013000，谢谢', [['iban', 'DE89370400440532013000']]],
    ['invalid check digits', 'IBAN DE88 3704 0044 0532 0130 00', []],
    ['the wrong length for its country', 'DE89370400440532013', []],
    ['glued to a longer token', 'XDE89370400440532013000', []],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected)
  })
})
