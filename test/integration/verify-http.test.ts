import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { RawMessageSpool } from '../../src/intake/raw-message-spool.ts'
import { silentLogger } from '../../src/logger.ts'
import { listPhishingCampaigns } from '../../src/phishing-reports/phishing-report.service.ts'
import { createZoneResolver } from '../../src/pipeline/authenticate-sender.ts'
import type { Store } from '../../src/store/database.ts'
import { buildApp } from '../../src/web/app.ts'
import { loadOkpayZone } from '../fixtures/dns/okpay-zone.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

const EMAILS = new URL('../fixtures/verifier/emails/', import.meta.url)
const eml = (name: string) => readFileSync(new URL(name, EMAILS))

for (const dialect of testDialects()) {
  describe(`${dialect}: verifier over HTTP`, () => {
    let app: FastifyInstance
    let store: Store
    let dataDir: string
    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-verify-http-'))
      const config = loadConfig({ MAILDESK_DATA_DIR: dataDir, MAILDESK_PUBLIC_URL: 'http://127.0.0.1:8080' })
      store = await createTestDatabase(dialect)
      app = await buildApp({ config, store, spool: new RawMessageSpool(store.db), log: silentLogger, dnsResolver: createZoneResolver(loadOkpayZone()) })
    })
    afterAll(async () => {
      await app.close()
      await store.destroy()
      rmSync(dataDir, { recursive: true, force: true })
    })

    it('answers a JSON identifier without a session, in the requested language', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/verify', payload: { input: 'okpay.com.evil.io', language: 'zh-CN' } })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({
        verdict: 'impersonation',
        inputKind: 'domain',
        language: 'zh-CN',
        reasons: [{ code: 'brand_in_subdomain', message: '该地址实际属于 evil.io；前面的“okpay.com”只是伪装。' }],
      })
    })

    it('confirms a genuine, signed message uploaded as message/rfc822', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/verify?lang=en', headers: { 'content-type': 'message/rfc822' }, payload: eml('genuine-ack-en.eml') })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ verdict: 'official', inputKind: 'email_message', language: 'en' })
      expect(res.json().reasons.map((r: { code: string }) => r.code)).toEqual(['official_from_authenticated', 'code_notice_only'])
    })

    it('calls a spoofed official sender an impersonation', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/verify', headers: { 'content-type': 'message/rfc822', 'accept-language': 'en-GB,en;q=0.9' }, payload: eml('spoof-official-quiet-en.eml') })
      expect(res.json()).toMatchObject({ verdict: 'impersonation', language: 'en', reasons: [{ code: 'official_from_unauthenticated' }] })
    })

    it('refuses bad input with a clear error', async () => {
      const empty = await app.inject({ method: 'POST', url: '/api/v1/verify', payload: { input: '' } })
      expect(empty.statusCode).toBe(400)
      expect(empty.json()).toMatchObject({ error: { code: 'INVALID_INPUT' } })
      const notEmail = await app.inject({ method: 'POST', url: '/api/v1/verify', headers: { 'content-type': 'message/rfc822' }, payload: Buffer.from('\u0000binary') })
      expect(notEmail.statusCode).toBe(400)
      expect(notEmail.json()).toMatchObject({ error: { code: 'NOT_AN_EMAIL' } })
      const huge = await app.inject({ method: 'POST', url: '/api/v1/verify', headers: { 'content-type': 'message/rfc822' }, payload: Buffer.alloc(11 * 1024 * 1024, 0x61) })
      expect(huge.statusCode).toBe(413)
    })

    it('documents the endpoint in the OpenAPI document', async () => {
      const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
      expect(Object.keys(doc.paths['/api/v1/verify'].post.requestBody.content)).toEqual(['application/json', 'message/rfc822'])
    })

    it('renders the public page in Chinese from Accept-Language, with the verdict at a glance', async () => {
      const res = await app.inject({ method: 'GET', url: `/verify?input=${encodeURIComponent('okpay-support.com')}`, headers: { 'accept-language': 'zh-CN,zh;q=0.9' } })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(res.body).toContain('<section class="verdict verdict-impersonation"')
      expect(res.body).toContain('假冒：有人在冒充 OKPay')
      expect(res.body).toContain('okpay-support.com 把 OKPay 的名字和其他词拼在一起')
      expect(res.body).toContain('向 OKPay 安全团队举报')
    })

    it('switches the page to English by ?lang= and escapes what the visitor typed', async () => {
      const res = await app.inject({ method: 'GET', url: `/verify?lang=en&input=${encodeURIComponent('<script>x</script>')}` })
      expect(res.body).toContain('verdict-unknown')
      expect(res.body).toContain('Cannot confirm')
      expect(res.body).not.toContain('<script>x</script>')
      expect(res.body).toContain('&lt;script&gt;x&lt;/script&gt;')
    })

    it('checks an uploaded .eml from the page form', async () => {
      const boundary = 'xyzBOUNDARY'
      const payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="eml"; filename="mail.eml"\r\nContent-Type: message/rfc822\r\n\r\n`),
        eml('link-text-mismatch-en.eml'),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ])
      const res = await app.inject({ method: 'POST', url: '/verify?lang=en', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload })
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('verdict-impersonation')
      expect(res.body).toContain('A link shows www.okpay.com but actually opens evil-pages.io.')
      expect(res.body).toContain('class="button report"')
      expect(await listPhishingCampaigns(store.db, { limit: 10, offset: 0 })).toEqual([])
    })

    it('records a phishing report when the customer ticks "also report it"', async () => {
      const boundary = 'rBOUNDARY'
      const payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="report"\r\n\r\nyes\r\n`),
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="eml"; filename="mail.eml"\r\nContent-Type: message/rfc822\r\n\r\n`),
        eml('lookalike-okpay-support-en.eml'),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ])
      const res = await app.inject({ method: 'POST', url: '/verify?lang=zh-CN', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload })
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('感谢举报！')
      // Reported already: the page does not also ask the visitor to forward it to security@.
      expect(res.body).not.toContain('class="button report"')
      const campaigns = await listPhishingCampaigns(store.db, { limit: 10, offset: 0 })
      expect(campaigns).toMatchObject([{ reportCount: 1, senderDomains: ['okpay-support.com'] }])
    })

    it('checks at most 30 whole messages per address in 10 minutes, API and page together', async () => {
      const upload = (remoteAddress: string) =>
        app.inject({ method: 'POST', url: '/api/v1/verify?lang=en', remoteAddress, headers: { 'content-type': 'message/rfc822' }, payload: eml('spoof-official-quiet-en.eml') })
      const statuses: number[] = []
      for (let i = 0; i < 30; i++) statuses.push((await upload('203.0.113.7')).statusCode)
      expect(statuses).toEqual(Array(30).fill(200))
      const refused = await upload('203.0.113.7')
      expect(refused.statusCode).toBe(429)
      expect(refused.json()).toEqual({ error: { code: 'RATE_LIMITED', message: 'at most 30 messages in 10 minutes from one address; try again later' } })
      const boundary = 'lBOUNDARY'
      const payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="eml"; filename="mail.eml"\r\nContent-Type: message/rfc822\r\n\r\n`),
        eml('link-text-mismatch-en.eml'),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ])
      const page = await app.inject({ method: 'POST', url: '/verify?lang=en', remoteAddress: '203.0.113.7', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload })
      expect(page.statusCode).toBe(429)
      expect(page.body).toContain('We checked many messages from your connection in the last few minutes.')
      expect(page.body).not.toContain('verdict-impersonation')
      expect((await upload('203.0.113.8')).statusCode).toBe(200)
      // Identifiers stay unlimited here: they cost no I/O.
      expect((await app.inject({ method: 'POST', url: '/api/v1/verify', remoteAddress: '203.0.113.7', payload: { input: 'okpay.com' } })).statusCode).toBe(200)
    })
  })
}
