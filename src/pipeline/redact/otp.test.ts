import { describe, expect, it } from 'vitest'
import { redactSensitiveData } from './redact-sensitive-data.ts'

function found(text: string): Array<[string, string]> {
  return redactSensitiveData(text).findings.map((f) => [f.type, text.slice(f.start, f.end)])
}

describe('one-time codes', () => {
  it.each<[string, string, Array<[string, string]>]>([
    ['验证码：', '验证码：384756，五分钟内有效', [['otp', '384756']]],
    ['您的验证码是', '【OKPay】您的验证码是123456，请勿泄露', [['otp', '123456']]],
    ['code is', 'the code is 123456', [['otp', '123456']]],
    ['OTP', 'OTP 5521', [['otp', '5521']]],
    ['a code printed in groups', 'verification code: 123 456', [['otp', '123 456']]],
    ['a forwarded SMS with the code first', '845120 is your OKPay verification code', [['otp', '845120']]],
    ['动态密码', '动态密码8812', [['otp', '8812']]],
    ['a forwarded Chinese SMS with the code first', '845120是您的OKPay验证码', [['otp', '845120']]],
    ['security code with six digits', 'security code 884422', [['otp', '884422']]],
    ['an error code', 'Error code 10045 when paying', []],
    ['a zip code', 'zip code 94105', []],
    ['a bare "code" and a year', 'code 2024 is the year', []],
    ['no code received', 'I did not receive the verification code', []],
    ['验证码收不到', '验证码一直收不到', []],
    ['a code sent to a phone number', 'send the code to 13812345678', []],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected)
  })

  it('removes the code', () => {
    expect(redactSensitiveData('code: 123456').text).toBe('code: [verification code removed]')
    expect(redactSensitiveData('验证码：384756').text).toBe('验证码：[验证码已删除]')
  })
})
