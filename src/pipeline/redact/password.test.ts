import { describe, expect, it } from 'vitest'
import { redactSensitiveData } from './redact-sensitive-data.ts'

function found(text: string): Array<[string, string]> {
  return redactSensitiveData(text).findings.map((f) => [f.type, text.slice(f.start, f.end)])
}

describe('passwords', () => {
  it.each<[string, string, Array<[string, string]>]>([
    ['password: value', 'password: hunter22', [['password', 'hunter22']]],
    ['pwd=value', 'pwd=Qw!8kLm#', [['password', 'Qw!8kLm#']]],
    ['"my password is" with a symbol', 'my password is Summer2024! thanks', [['password', 'Summer2024!']]],
    ['sentence punctuation is not part of it', 'password is abc12345.', [['password', 'abc12345']]],
    ['a quoted value is taken whole', 'password "my secret 1"', [['password', 'my secret 1']]],
    ['a letters-only value after a colon', 'Password: sunshine', [['password', 'sunshine']]],
    ['changed to', 'I changed my password to Lm_9921x yesterday', [['password', 'Lm_9921x']]],
    ['密码是', '我的密码是abc123，登录失败', [['password', 'abc123']]],
    ['支付密码 straight into digits', '支付密码123456是不是泄露了', [['password', '123456']]],
    ['登录密码改成了', '登录密码改成了Qwe!2024', [['password', 'Qwe!2024']]],
    ['支付密码：', '支付密码：860412', [['password', '860412']]],
    ['a full-width value', '密码是ａｂｃ１２３', [['password', 'ａｂｃ１２３']]],
    ['a quoted Chinese question', '我的密码是“什么”？', []],
    ['I forgot my password', 'I forgot my password', []],
    ['how do I reset my password', 'how do I reset my password?', []],
    ['我忘记密码了', '我忘记密码了', []],
    ['password is wrong', 'the app says my password is wrong', []],
    ['password is case-sensitive', 'Your password is case-sensitive.', []],
    ['a sentence after the colon', 'Password: please reset it for me', []],
    ['a stop word after the colon', 'Password: forgotten', []],
    ['an already masked value', '密码：********', []],
    ['a count of characters', 'password is 8-16 characters', []],
    ['a date', 'I changed my password on 2024-03-15', []],
    ['a count of attempts', '密码输错5次被锁了', []],
    ['one-time password is an OTP, not a password', 'one-time password: 123456', [['otp', '123456']]],
  ])('%s', (_name, text, expected) => {
    expect(found(text)).toEqual(expected)
  })

  it('removes the password with a marker in the language of the sentence', () => {
    expect(redactSensitiveData('password: hunter22').text).toBe('password: [password removed]')
    expect(redactSensitiveData('我的密码是abc123').text).toBe('我的密码是[密码已删除]')
  })
})
