import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { testDialects } from '../helpers/test-database.ts'
import { createPublicTestApp, type PublicTestApp } from './public-test-app.ts'

// Wednesday 2026-11-25 20:00 in Shanghai: the mainland line (08–22 daily) is open, the international one (Mon–Fri 09–18) closed.
const wednesdayEvening = new Date('2026-11-25T12:00:00Z')

for (const dialect of testDialects()) {
  describe(`${dialect}: contact page and official channels`, () => {
    let t: PublicTestApp
    beforeEach(async () => {
      t = await createPublicTestApp(dialect, { now: () => wednesdayEvening })
    })
    afterEach(async () => {
      await t?.close()
    })

    it('lists every official channel as JSON, with hotlines open or closed at the injected time', async () => {
      const res = await t.app.inject({ url: '/api/v1/official-channels?lang=en' })
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body.addresses).toEqual([
        { purpose: 'support', address: 'support@okpay.com', description: 'Questions about payments, your account, refunds and withdrawals' },
        { purpose: 'security', address: 'security@okpay.com', description: 'Report a suspicious email, text message, website or call that uses our name' },
      ])
      expect(body.hotlines.map((h: { number: string; openNow: boolean; hours: string }) => [h.number, h.openNow, h.hours])).toEqual([
        ['+86 400-820-6688', true, 'Every day 08:00–22:00'],
        ['+852 3001-6688', false, 'Mon–Fri 09:00–18:00'],
        ['+86 400-820-6699', true, 'Every day 24 hours'],
      ])
      expect(body.verifierUrl).toBe('http://127.0.0.1:8080/verify')
      expect(body.neverAskFor).toContain('your PIN')
      expect(body.social).toHaveLength(3)
    })

    it('answers in Chinese when the browser prefers it', async () => {
      const res = await t.app.inject({ url: '/api/v1/official-channels', headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' } })
      expect(res.json().language).toBe('zh-CN')
      expect(res.json().hotlines[0].label).toBe('客服热线（中国大陆）')
    })

    it('sends a visitor of the bare address to the contact page', async () => {
      const res = await t.app.inject({ url: '/' })
      expect(res.statusCode).toBe(302)
      expect(res.headers.location).toBe('/contact')
    })

    it('serves the contact page with a strict CSP, both addresses and a link to the verifier', async () => {
      const res = await t.app.inject({ url: '/contact?lang=en' })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-security-policy']).toContain("default-src 'none'")
      expect(res.headers['content-security-policy']).toContain("script-src 'self'")
      expect(res.body).toContain('href="mailto:support@okpay.com"')
      expect(res.body).toContain('href="mailto:security@okpay.com"')
      expect(res.body).toContain('href="/verify"')
      expect(res.body).toContain('<html lang="en">')
      expect(res.body).toContain('<main id="main"')
      expect(res.body).not.toMatch(/<script>|https?:\/\/(?!www\.okpay\.com|weibo\.com|x\.com)[a-z]/)
    })

    it('remembers a language chosen with ?lang= in a cookie and uses it on the next visit', async () => {
      const first = await t.app.inject({ url: '/contact?lang=en', headers: { 'accept-language': 'zh-CN' } })
      expect(first.headers['set-cookie']).toContain('md_lang=en')
      const next = await t.app.inject({ url: '/contact', headers: { cookie: 'md_lang=en', 'accept-language': 'zh-CN' } })
      expect(next.body).toContain('<html lang="en">')
      expect(next.body).toContain('href="/contact?lang=zh-CN"')
      const zh = await t.app.inject({ url: '/contact', headers: { 'accept-language': 'zh-CN' } })
      expect(zh.body).toContain('<html lang="zh-CN">')
      expect(zh.body).toContain('联系我们')
    })

    it('serves its two assets and nothing else, not even names of Object.prototype', async () => {
      const css = await t.app.inject({ url: '/public/assets/site.css' })
      expect([css.statusCode, css.headers['content-type'], css.headers['x-content-type-options']]).toEqual([200, 'text/css; charset=utf-8', 'nosniff'])
      expect((await t.app.inject({ url: '/public/assets/site.js' })).headers['content-type']).toBe('text/javascript; charset=utf-8')
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'site.css.map']) {
        const res = await t.app.inject({ url: `/public/assets/${name}` })
        expect([name, res.statusCode, res.json()]).toEqual([name, 404, { error: { code: 'NOT_FOUND', message: 'no such asset' } }])
      }
    })
  })
}

describe('help centre', () => {
  let t: PublicTestApp
  beforeEach(async () => {
    t = await createPublicTestApp('sqlite')
  })
  afterEach(async () => {
    await t.close()
  })

  it('lists the articles, searches them and renders one, in each language', async () => {
    const list = await t.app.inject({ url: '/help?lang=en' })
    expect(list.body).toContain('href="/help/spot-forged-mail"')
    const search = await t.app.inject({ url: '/help?lang=zh-CN&q=' + encodeURIComponent('仿冒邮件') })
    expect(search.body).toContain('href="/help/spot-forged-mail"')
    expect(search.body).not.toContain('href="/help/what-to-include"')
    const article = await t.app.inject({ url: '/help/what-never-to-send?lang=en' })
    expect(article.statusCode).toBe(200)
    expect(article.body).toContain('<strong>PIN</strong>')
    expect(article.headers['content-security-policy']).toContain("default-src 'none'")
  })

  it('echoes a search query escaped, never as markup', async () => {
    const res = await t.app.inject({ url: '/help?lang=en&q=' + encodeURIComponent('<script>x</script>') })
    expect(res.body).toContain('&lt;script&gt;x&lt;/script&gt;')
    expect(res.body).not.toContain('<script>x')
  })

  it('answers an unknown article with 404 and a way back', async () => {
    const res = await t.app.inject({ url: '/help/nope?lang=en' })
    expect(res.statusCode).toBe(404)
    expect(res.body).toContain('href="/help"')
  })
})
