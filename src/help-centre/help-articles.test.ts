import { describe, expect, it } from 'vitest'
import { loadConfig } from '../config.ts'
import { loadHelpArticles, queryTerms, searchHelpArticles } from './help-articles.ts'

const brand = loadConfig({}).brand
const articles = loadHelpArticles(brand)

describe('help articles', () => {
  it('ships the same five articles in both languages, with brand facts filled in', () => {
    const slugs = (lang: string) => articles.filter((a) => a.language === lang).map((a) => a.slug)
    expect(slugs('en')).toEqual(['how-to-write-to-support', 'what-to-include', 'spot-forged-mail', 'what-never-to-send', 'urgent-channels'])
    expect(slugs('zh-CN')).toEqual(slugs('en'))
    for (const a of articles) expect(a.markdown).not.toMatch(/\{\{\w+\}\}/)
    expect(articles.find((a) => a.slug === 'urgent-channels' && a.language === 'en')?.markdown).toContain('+86 400-820-6699')
  })

  it('splits Chinese queries into character pairs', () => {
    expect(queryTerms('仿冒 邮件')).toEqual(['仿冒', '邮件'])
    expect(queryTerms('识别仿冒')).toEqual(['识别', '别仿', '仿冒'])
    expect(queryTerms('CVV码')).toEqual(['cvv', '码'])
  })

  it.each([
    ['en', 'forged email', 'spot-forged-mail'],
    ['en', 'transaction ID', 'what-to-include'],
    ['en', 'lost card', 'urgent-channels'],
    ['zh-CN', '仿冒邮件', 'spot-forged-mail'],
    ['zh-CN', '验证码', 'what-never-to-send'],
    ['zh-CN', '交易单号', 'what-to-include'],
  ] as const)('in %s, "%s" finds %s first', (lang, query, slug) => {
    expect(searchHelpArticles(articles, lang, query)[0]?.slug).toBe(slug)
  })

  it('finds nothing for words no article contains', () => {
    expect(searchHelpArticles(articles, 'en', 'bitcoin mining rig')).toEqual([])
  })
})
