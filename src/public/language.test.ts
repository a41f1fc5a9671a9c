import { describe, expect, it } from 'vitest'
import { languageFromAcceptLanguage, pickLanguage, readCookie } from './language.ts'

const offered = ['zh-CN', 'en'] as const

describe('pickLanguage', () => {
  it.each([
    ['?lang= wins over cookie and browser', { query: 'en', cookie: 'zh-CN', acceptLanguage: 'zh-CN' }, 'en'],
    ['the remembered cookie wins over the browser', { cookie: 'en', acceptLanguage: 'zh-CN,zh;q=0.9' }, 'en'],
    ['the browser decides when nothing was chosen', { acceptLanguage: 'en-GB,en;q=0.9' }, 'en'],
    ['q-values are honoured', { acceptLanguage: 'en;q=0.4, zh-TW;q=0.8' }, 'zh-CN'],
    ['an unknown ?lang= falls through to the browser', { query: 'fr', acceptLanguage: 'en' }, 'en'],
    ['no preference at all gives the brand default', {}, 'zh-CN'],
    ['a language the browser refuses (q=0) is not chosen', { acceptLanguage: 'en;q=0' }, 'zh-CN'],
  ] as const)('%s', (_name, sources, expected) => {
    expect(pickLanguage(sources, offered, 'zh-CN')).toBe(expected)
  })

  it('returns undefined for an Accept-Language with nothing we offer', () => {
    expect(languageFromAcceptLanguage('fr-FR, de;q=0.5', offered)).toBeUndefined()
  })

  it('reads one cookie out of several', () => {
    expect(readCookie('a=1; md_lang=en; b=2', 'md_lang')).toBe('en')
    expect(readCookie('md_lang=%E0%A4%A', 'md_lang')).toBeUndefined()
  })
})
