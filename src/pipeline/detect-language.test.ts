import { describe, expect, it } from 'vitest'
import { detectLanguage } from './detect-language.ts'

describe('detectLanguage', () => {
  const cases: Array<[string, string, 'zh-CN' | 'en', string]> = [
    ['plain Chinese', '你好，我的退款还没有到账。', 'zh-CN', 'zh-CN'],
    ['plain English', 'Hello, my refund has not arrived yet.', 'zh-CN', 'en'],
    ['Chinese with an order ID and product name', '你好，OKPay Wallet 订单号 TX20261103ABCDEF 付款失败', 'en', 'zh-CN'],
    ['English quoting one Chinese name', 'Hi, I sent money to 张伟 yesterday but it never arrived, please check.', 'zh-CN', 'en'],
    ['empty falls back to the brand default', '', 'zh-CN', 'zh-CN'],
    ['digits only fall back to the brand default', '2026-11-03 ¥1,299.00', 'en', 'en'],
    ['traditional Chinese is answered in zh-CN', '您好，我的帳戶被盜了', 'en', 'zh-CN'],
    // One Han character outside the BMP (U+20000, two UTF-16 units) weighs as three letters, no more.
    ['one supplementary Han character against six letters', '\u{20000} abcdef', 'en', 'zh-CN'],
    ['one supplementary Han character against seven letters', '\u{20000} abcdefg', 'zh-CN', 'en'],
    ['Han runs and Latin words mixed', '退款 refund 还没 not yet 到账 arrived', 'en', 'zh-CN'],
    ['accented and full-width letters are not Latin letters here', '\u00e9\u00e8\uff41\uff42 中', 'en', 'zh-CN'],
  ]
  for (const [name, text, fallback, expected] of cases) {
    it(`${name} → ${expected}`, () => expect(detectLanguage(text, fallback)).toBe(expected))
  }
})
