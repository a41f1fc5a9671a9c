import { describe, expect, it } from 'vitest'
import { redactSensitiveData } from './redact-sensitive-data.ts'

function found(text: string): Array<[string, string]> {
  return redactSensitiveData(text).findings.map((f) => [f.type, text.slice(f.start, f.end)])
}

describe('PINs', () => {
  it.each<[string, string, Array<[string, string]>]>([
    ['PIN is', 'My ATM PIN is 4321 and it fails', [['pin', '4321']]],
    ['PIN code with a colon', 'PIN code: 123456', [['pin', '123456']]],
    ['PIN码', 'PIN码是0000，请重置', [['pin', '0000']]],
    ['取款密码', '取款密码是654321', [['pin', '654321']]],
    ['a PIN question', 'The PIN reset letter never arrived.', []],
    ['a word that contains "pin"', 'shipping 12345 items', []],
    ['a number too long for a PIN', 'pin 1234 5678 9012', []],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected)
  })

  it('removes the PIN', () => {
    expect(redactSensitiveData('PIN: 1234').text).toBe('PIN: [PIN removed]')
    expect(redactSensitiveData('取款密码是654321').text).toBe('取款密码是[PIN已删除]')
  })
})
