import { describe, expect, it } from 'vitest'
import { loadConfig } from '../config.ts'
import { verifyIdentifier } from './verify-identifier.ts'

const brand = loadConfig({}).brand
const en = { brand, language: 'en' as const }

describe('verifyIdentifier', () => {
  const cases: Array<[string, string, string, string]> = [
    // input, verdict, inputKind, first reason code
    ['okpay.com', 'official', 'domain', 'official_domain'],
    ['WWW.OKPAY.COM.', 'official', 'domain', 'official_domain'],
    ['support@okpay.com', 'official', 'email', 'official_address'],
    ['https://www.okpay.com/login?x=1', 'official', 'url', 'official_domain'],
    ['+86 400-820-6688', 'official', 'phone', 'official_hotline'],
    ['4008206688', 'official', 'phone', 'official_hotline'],
    ['0086 400 820 6699', 'official', 'phone', 'official_hotline'],
    ['+852 3001 6688', 'official', 'phone', 'official_hotline'],
    ['400-820-6689', 'not_official', 'phone', 'phone_not_hotline'],
    ['okpay.net', 'impersonation', 'domain', 'other_tld'],
    ['okpay.com.cn', 'impersonation', 'domain', 'other_tld'],
    ['okpay-support.com', 'impersonation', 'domain', 'brand_with_words'],
    ['mail-okpay.com', 'impersonation', 'domain', 'brand_with_words'],
    ['okpaysupport.com', 'impersonation', 'domain', 'brand_with_words'],
    ['okpay.com.cn-verify.net', 'impersonation', 'domain', 'brand_in_subdomain'],
    ['okpay.com.evil.io', 'impersonation', 'domain', 'brand_in_subdomain'],
    ['https://okpay.com@evil.io/login', 'impersonation', 'url', 'url_userinfo'],
    ['0kpay.com', 'impersonation', 'domain', 'lookalike_homoglyph'],
    ['окрау.com', 'impersonation', 'domain', 'idn_punycode'],
    ['xn--kpay-45d.com', 'impersonation', 'domain', 'idn_punycode'],
    ['okpy.com', 'impersonation', 'domain', 'typo_lookalike'],
    ['ok-pay.com', 'impersonation', 'domain', 'typo_lookalike'],
    ['okpay.support@gmail.com', 'impersonation', 'email', 'freemail_brand'],
    ['https://www.google.com/url?q=https://okpay-login.net/a', 'impersonation', 'url', 'redirector_unwrapped'],
    ['https://t.co/abc123', 'unknown', 'url', 'opaque_redirector'],
    ['http://192.168.1.1/login', 'not_official', 'url', 'raw_ip_host'],
    ['tiktokpay.com', 'not_official', 'domain', 'unrelated_domain'],
    ['alipay.com', 'not_official', 'domain', 'unrelated_domain'],
    ['friend@qq.com', 'not_official', 'email', 'unrelated_domain'],
    ['hello world', 'unknown', 'unknown', 'unparsable_input'],
    ['', 'unknown', 'unknown', 'unparsable_input'],
  ]
  for (const [input, verdict, kind, code] of cases) {
    it(`judges ${JSON.stringify(input)} as ${verdict} (${code})`, () => {
      const r = verifyIdentifier(input, en)
      expect({ verdict: r.verdict, inputKind: r.inputKind, code: r.reasons[0]?.code }).toEqual({ verdict, inputKind: kind, code })
    })
  }

  it('names the typo family in the reason', () => {
    const families: Record<string, string> = {
      'opay.com': 'omission', 'okkpay.com': 'repetition', 'kopay.com': 'transposition', 'okpaay.com': 'repetition',
      'okpayx.com': 'insertion', 'nkpay.com': 'bitflip', 'okpsy.com': 'keyboard', 'okpey.com': 'vowel_swap', 'okbay.com': 'replacement',
    }
    for (const [input, family] of Object.entries(families)) {
      expect(verifyIdentifier(input, en).reasons[0]?.message, input).toContain(
        { omission: 'left out', repetition: 'doubled', transposition: 'swapped', insertion: 'added', bitflip: 'bit-flip', keyboard: 'neighbouring', vowel_swap: 'vowel', replacement: 'replaced' }[family],
      )
    }
  })

  it('writes reasons in Chinese when asked', () => {
    const r = verifyIdentifier('okpay-support.com', { brand, language: 'zh-CN' })
    expect(r.reasons[0]?.message).toBe('okpay-support.com 把 OKPay 的名字和其他词拼在一起；OKPay 不使用这类域名。')
    expect(verifyIdentifier('4008206688', { brand, language: 'zh-CN' }).reasons[0]?.message).toBe('+86 400-820-6688 是 OKPay 的官方热线：客服热线（中国大陆）。')
  })

  it('reports mixed Latin and Cyrillic letters', () => {
    const r = verifyIdentifier('okpаy.com', en) // Cyrillic а
    expect(r.reasons.map((x) => x.code)).toEqual(['idn_punycode', 'mixed_script', 'lookalike_homoglyph'])
  })

  it('never throws, whatever is typed (malformed escapes, brackets, controls, emoji)', () => {
    const pieces = ['o', 'k', 'p', 'a', 'y', '.', '-', '@', ':', '/', '%', '%zz', '%E4', '?', '#', '[', ']', '0', 'х', 'ｏ', 'xn--', 'http://', 'mailto:', 'tel:', '+', ' ', '\u0000', '\u202e', '😀', '＠', '。', '\\']
    let seed = 42
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let i = 0; i < 5000; i++) {
      let input = ''
      for (let j = 1 + Math.floor(next() * 12); j > 0; j--) input += pieces[Math.floor(next() * pieces.length)]
      const r = verifyIdentifier(input, en)
      expect(r.reasons.length, input).toBeGreaterThan(0)
    }
    expect(verifyIdentifier('https://a%zz@evil.io', en).verdict).toBe('not_official')
    expect(verifyIdentifier('mailto:%E4', en).verdict).toBe('unknown')
  })
})
