import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Runtime } from '../../src/runtime.ts'
import { createAgentSession, type AgentSession } from '../helpers/auth.ts'
import { buildEmail } from '../helpers/fixtures.ts'
import { createTestApp } from '../helpers/runtime.ts'
import { testDialects } from '../helpers/test-database.ts'

// What a careless client or a stranger sends the API: every answer is a 4xx in the documented shape (docs/errors.md)
// that says what was wrong; never a 500, never a framework's own error code, never a silent success.
for (const dialect of testDialects()) {
  describe(`${dialect}: HTTP API input checking`, () => {
    let rt: Runtime
    let app: FastifyInstance
    let close: () => Promise<void>
    let agent: AgentSession

    beforeEach(async () => {
      ;({ rt, app, close } = await createTestApp(dialect))
      agent = await createAgentSession(app, rt.store)
      await rt.spool.spool({ raw: buildEmail({ messageId: '<in-1@customer.example>' }), source: 'smtp' })
      await rt.worker.runUntilIdle()
    })
    afterEach(() => close())

    const send = (method: 'GET' | 'POST' | 'PATCH', url: string, options: { payload?: string | object; contentType?: string; auth?: boolean } = {}) =>
      app.inject({
        method,
        url,
        headers: { ...(options.auth === false ? {} : agent.headers), ...(options.contentType ? { 'content-type': options.contentType } : {}) },
        ...(options.payload !== undefined ? { payload: options.payload } : {}),
      })

    it('refuses numbers that are not plain integers in paging, instead of failing in the database', async () => {
      for (const query of ['offset=1e309', 'limit=Infinity', 'offset=-Infinity', 'offset=NaN', 'offset=0x10', 'limit=1e1']) {
        const res = await send('GET', `/api/v1/tickets?${query}`)
        expect(res.statusCode, query).toBe(400)
        expect(res.json().error.code, query).toBe('INVALID_INPUT')
      }
      expect((await send('GET', '/api/v1/search?q=refund&offset=1e309')).statusCode).toBe(400)
      expect((await send('GET', '/api/v1/raw-messages?offset=1e309')).statusCode).toBe(400)
      expect((await send('GET', '/api/v1/tickets?offset=0x10')).json().error.message).toBe('querystring/offset must be a plain decimal number (got "0x10")')
      expect((await send('GET', '/api/v1/tickets?limit=2&offset=0')).statusCode).toBe(200)
    })

    it('refuses a field it does not know rather than ignoring it: a typo is not a success', async () => {
      const res = await send('PATCH', '/api/v1/tickets/OKP-1001', { payload: { statuss: 'solved' } })
      expect(res.statusCode).toBe(400)
      expect(res.json().error).toEqual({ code: 'INVALID_INPUT', message: expect.stringContaining('must NOT have additional properties') })
      expect((await send('GET', '/api/v1/tickets/OKP-1001')).json()).toMatchObject({ status: 'new' })
    })

    it('sends people who add a trailing slash to the page, and shows a page, not JSON, for one that does not exist', async () => {
      const slash = await app.inject({ url: '/contact/?lang=en' })
      expect(slash.statusCode).toBe(301)
      expect(slash.headers.location).toBe('/contact?lang=en')
      expect((await app.inject({ url: slash.headers.location as string })).statusCode).toBe(200)
      for (const url of ['//evil.example/', '/%5Cevil.example/', '/\\evil.example/']) {
        const location = String((await app.inject({ url })).headers.location ?? '/')
        expect(location, url).toMatch(/^\/(?![/\\])/)
        expect(location, url).not.toContain('evil')
      }
      const page = await app.inject({ url: '/contcat', headers: { accept: 'text/html,application/xhtml+xml' } })
      expect(page.statusCode).toBe(404)
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(page.body).toContain('<a href="/contact">')
      expect((await app.inject({ url: '/api/v1/nope/', headers: { ...agent.headers, accept: 'text/html' } })).json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /api/v1/nope/' } })
    })

    it('answers a body that is not what the route takes with 415 or 400 and our error codes', async () => {
      const verifyText = await send('POST', '/api/v1/verify', { payload: 'okpay.com', contentType: 'text/plain', auth: false })
      expect(verifyText.statusCode).toBe(415)
      expect(verifyText.json().error).toEqual({ code: 'INVALID_INPUT', message: 'Content-Type "text/plain" is not accepted here; /api/v1/openapi.json lists what each route takes' })
      const verifyEmpty = await send('POST', '/api/v1/verify', { auth: false })
      expect(verifyEmpty.statusCode).toBe(415)
      expect(verifyEmpty.json().error.code).toBe('INVALID_INPUT')
      const report = await send('POST', '/api/v1/phishing/reports', { payload: '{"a":1}', contentType: 'application/json' })
      expect(report.statusCode).toBe(415)
      expect(report.json().error).toEqual({ code: 'INVALID_INPUT', message: 'send the reported message with Content-Type: message/rfc822' })
      const badJson = await send('PATCH', '/api/v1/tickets/OKP-1001', { payload: '{"status":', contentType: 'application/json' })
      expect(badJson.statusCode).toBe(400)
      expect(badJson.json().error).toEqual({ code: 'INVALID_INPUT', message: 'the body is not valid JSON' })
      const tooLarge = await send('PATCH', '/api/v1/tickets/OKP-1001', { payload: JSON.stringify({ status: 'x'.repeat(1024 * 1024) }), contentType: 'application/json' })
      expect(tooLarge.statusCode).toBe(413)
      expect(tooLarge.json().error).toEqual({ code: 'MESSAGE_TOO_LARGE', message: 'the request body is larger than this route accepts' })
    })
  })
}
