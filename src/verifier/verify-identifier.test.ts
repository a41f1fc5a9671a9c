import { describe, expect, it } from 'vitest'
import { pick, randomText, seededRandom } from '../../test/helpers/seeded-random.ts'
import { loadConfig } from '../config.ts'
import { mentionsBrandAsWordByWord } from '../../test/helpers/verifier-reference.ts'
import { analyzeHost } from './analyze-host.ts'
import { brandProfile } from './brand-profile.ts'
import { mentionsBrandAsWord, verifyIdentifier } from './verify-identifier.ts'

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
    const next = seededRandom(42)
    for (let i = 0; i < 5000; i++) {
      const input = randomText(next, pieces, 1 + Math.floor(next() * 12))
      const r = verifyIdentifier(input, en)
      expect(r.reasons.length, input).toBeGreaterThan(0)
    }
    expect(verifyIdentifier('https://a%zz@evil.io', en).verdict).toBe('not_official')
    expect(verifyIdentifier('mailto:%E4', en).verdict).toBe('unknown')
  })
})

describe('mentionsBrandAsWord', () => {
  const okpay = brandProfile(brand)
  const cases: Array<[string, boolean]> = [
    ['Your OKPay account', true],
    ['okpay.support', true],
    ['okpay_cs', true],
    ['okpay24', true],
    ['OKPay客服', true],
    ['联系OKPAY', true],
    ['0kpay', true], // skeleton of the token
    ['окрау', true], // Cyrillic look-alike
    ['ＯＫＰａｙ', true], // full-width letters are letters: their skeleton is the token's
    ['\u00d2kpay', true], // Òkpay: the accent is dropped from the skeleton
    ['Ok\u0301pay', false], // a combining accent is neither letter nor digit: it separates "ok" from "pay"
    ['support|okpay', true],
    ['okpay-verify', true],
    ['myokpay', false],
    ['okpays', false],
    ['okpay24x', false],
    ['0kpay5', false],
    ['ok pay', false],
    ['okpa y', false],
    ['', false],
  ]
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)}: ${expected}`, () => {
      expect(mentionsBrandAsWord(okpay, text)).toBe(expected)
      expect(mentionsBrandAsWordByWord(okpay, text)).toBe(expected)
    })
  }

  // ASCII text is matched in one pass (profile.asciiBrandWords), other text word by word: both must agree with the
  // word-by-word definition. The second brand has tokens whose skeletons have no ASCII-only letters (no literal hint),
  // a hyphenated and a non-ASCII token, and the letters the skeleton rewrites (m w d 0 1).
  const wordmill = brandProfile({ ...brand, name: 'Wordmill Ltd', officialDomains: ['wordmill.com', 'ok-pay.cn', 'd0l1.net', 'окрау.com', 'rnvvcl.org', 'lolo.io'] })
  it.each([
    ['okpay', okpay, { ascii: 484, other: 751, none: 18_765 }],
    ['wordmill', wordmill, { ascii: 1544, other: 1621, none: 16_835 }],
  ])('agrees with the word-by-word definition on 20,000 generated texts (%s)', (_name, profile, expectedCounts) => {
    // Pieces of brand words and their look-alikes, separators and digits, and other letters and marks.
    const brandish = ['okpay', 'OKPay', '0kpay', 'ok\u0440ay', 'ok', 'pay', 'kpay', 'o', '0', 'wordmill', 'vvordrnill', 'WordMill', 'lolo', '1o1o', 'd0l1', 'cloll', 'rnvvcl', 'ltd']
    const separators = [' ', '-', '.', '|', '_', '\n', '@', '客服', '中', '1', '2', '24', '9']
    const other = ['m', 'w', 'd', 'rn', 'vv', 'cl', 'l', 'i', 'x', 'у', 'а', 'é', '\u0301', 'İ', 'Σ', '\u212a', '²', 'ｏ', '😀']
    const next = seededRandom(7)
    const mentions = { ascii: 0, other: 0, none: 0 }
    for (let i = 0; i < 20_000; i++) {
      let text = ''
      for (let j = Math.floor(next() * 7); j > 0; j--) {
        const r = next()
        text += pick(next, r < 0.4 ? brandish : r < 0.7 ? separators : other)
      }
      const expected = mentionsBrandAsWordByWord(profile, text)
      // eslint-disable-next-line no-control-regex
      mentions[!expected ? 'none' : /^[\x00-\x7f]*$/.test(text.toLowerCase()) ? 'ascii' : 'other']++
      expect(mentionsBrandAsWord(profile, text), JSON.stringify(text)).toBe(expected)
    }
    // Brand words in ASCII text (one pass) and in other text (word by word), and texts without one.
    expect(mentions).toEqual(expectedCounts)
  })
})

describe('analyzeHost, analysed once per host', () => {
  const profile = brandProfile(brand)
  it('answers a repeated host with an equal analysis that the caller owns; the shared reasons cannot be changed', () => {
    const first = analyzeHost(profile, 'okpay-support.com')
    expect(first).toEqual({
      verdict: 'impersonation',
      reasons: [{ code: 'brand_with_words', params: { domain: 'okpay-support.com', official: 'okpay.com', brand: 'OKPay' } }],
      asciiHost: 'okpay-support.com',
      registrableDomain: 'okpay-support.com',
      isIp: false,
    })
    first.reasons.push({ code: 'unparsable_input' })
    first.verdict = 'official'
    const again = analyzeHost(profile, 'okpay-support.com')
    expect(again).not.toBe(first)
    expect(again.verdict).toBe('impersonation')
    expect(again.reasons.map((r) => r.code)).toEqual(['brand_with_words'])
    expect(() => {
      const params = again.reasons[0]?.params
      if (params) params.domain = 'changed.example'
    }).toThrow(TypeError)
  })

  it('keeps hosts apart: case and spelling are part of the key, the verdicts are those of the host', () => {
    expect(analyzeHost(profile, 'OKPAY.COM').verdict).toBe('official')
    expect(analyzeHost(profile, '0kpay.com').verdict).toBe('impersonation')
    expect(analyzeHost(profile, 'example.org').verdict).toBe('not_official')
    expect(analyzeHost(profile, 'OKPAY.COM').asciiHost).toBe('okpay.com')
  })
})
