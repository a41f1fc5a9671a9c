import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/logger.ts'
import type { Runtime } from '../../src/runtime.ts'
import { buildApp } from '../../src/web/app.ts'
import { createAgentSession, type AgentSession } from '../helpers/auth.ts'
import { buildEmail } from '../helpers/fixtures.ts'
import { createTestRuntime } from '../helpers/runtime.ts'
import { testDialects } from '../helpers/test-database.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: HTTP API /api/v1`, () => {
    let rt: Runtime
    let app: FastifyInstance
    let auth: AgentSession

    beforeEach(async () => {
      rt = await createTestRuntime(dialect)
      app = await buildApp({ config: rt.config, store: rt.store, spool: rt.spool, log: silentLogger })
      auth = await createAgentSession(app, rt.store)
    })
    afterEach(async () => {
      await app.close()
      await rt.close()
    })

    async function seed(count: number) {
      for (let i = 0; i < count; i++) {
        await rt.spool.spool({
          raw: buildEmail({ messageId: `<m${i}@customer.example>`, subject: `Question ${i}`, body: `Question number ${i} about my account.` }),
          source: 'smtp',
        })
      }
      await rt.worker.runUntilIdle()
    }

    it('reports health with the database kind and queue counts', async () => {
      await seed(1)
      const res = await app.inject({ method: 'GET', url: '/api/v1/health' })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({ status: 'ok', database: dialect, queue: { processed: 1 } })
    })

    it('lists tickets newest first, paged with limit and offset', async () => {
      await seed(3)
      const res = await app.inject({ method: 'GET', headers: auth.headers, url: '/api/v1/tickets?limit=2&offset=0' })
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body.total).toBe(3)
      expect(body.tickets.map((t: { number: string }) => t.number)).toEqual(['OKP-1003', 'OKP-1002'])
      const page2 = (await app.inject({ method: 'GET', headers: auth.headers, url: '/api/v1/tickets?limit=2&offset=2' })).json()
      expect(page2.tickets.map((t: { number: string }) => t.number)).toEqual(['OKP-1001'])
      expect(page2.tickets[0]).toMatchObject({ subject: 'Question 0', status: 'new', customer: { email: 'li.wei@customer.example' } })
    })

    it('rejects a bad page size with a message that says what is accepted', async () => {
      const res = await app.inject({ method: 'GET', headers: auth.headers, url: '/api/v1/tickets?limit=1000' })
      expect(res.statusCode).toBe(400)
      expect(res.json().error).toEqual({ code: 'INVALID_INPUT', message: 'querystring/limit must be <= 100' })
    })

    it('shows one ticket with its messages and events', async () => {
      await seed(1)
      const res = await app.inject({ method: 'GET', headers: auth.headers, url: '/api/v1/tickets/okp-1001' })
      expect(res.statusCode).toBe(200)
      const t = res.json()
      expect(t).toMatchObject({ number: 'OKP-1001', subject: 'Question 0' })
      expect(t.messages).toHaveLength(1)
      expect(t.messages[0]).toMatchObject({ direction: 'inbound', messageId: '<m0@customer.example>', attachments: [] })
      expect(t.events.map((e: { type: string }) => e.type)).toEqual(['created', 'acknowledgement_sent'])
    })

    it('answers 404 with a hint for unknown and malformed ticket numbers', async () => {
      expect((await app.inject({ method: 'GET', headers: auth.headers, url: '/api/v1/tickets/OKP-9999' })).json()).toEqual({
        error: { code: 'NOT_FOUND', message: 'ticket not found' },
      })
      expect((await app.inject({ method: 'GET', headers: auth.headers, url: '/api/v1/tickets/hello' })).json()).toEqual({
        error: { code: 'NOT_FOUND', message: 'no ticket hello; ticket numbers look like OKP-1042' },
      })
    })

    it('accepts a message over HTTP as message/rfc822, stores it before answering 202, and refuses non-mail', async () => {
      const ok = await app.inject({
        method: 'POST',
        url: '/api/v1/messages',
        headers: { ...auth.headers, 'content-type': 'message/rfc822' },
        payload: buildEmail({ messageId: '<api@customer.example>' }),
      })
      expect(ok.statusCode).toBe(202)
      expect(ok.json()).toEqual({ rawMessageId: 1, status: 'pending' })
      const bad = await app.inject({ method: 'POST', url: '/api/v1/messages', headers: { ...auth.headers, 'content-type': 'message/rfc822' }, payload: 'hello' })
      expect(bad.statusCode).toBe(400)
      expect(bad.json().error.code).toBe('NOT_AN_EMAIL')
    })

    it('lists failed messages with their error and re-queues one for processing', async () => {
      await rt.spool.spool({ raw: Buffer.from('\u0000binary'), source: 'api' })
      await rt.worker.runUntilIdle()
      const failed = (await app.inject({ method: 'GET', headers: auth.headers, url: '/api/v1/raw-messages?status=failed' })).json()
      expect(failed.rawMessages).toHaveLength(1)
      expect(failed.rawMessages[0]).toMatchObject({ id: 1, status: 'failed', error: { code: 'NOT_AN_EMAIL' } })
      const res = await app.inject({ method: 'POST', headers: auth.headers, url: '/api/v1/raw-messages/1/reprocess' })
      expect(res.statusCode).toBe(202)
      expect(res.json()).toEqual({ requeued: true, status: 'pending' })
    })

    it('publishes an OpenAPI 3 document describing the routes', async () => {
      const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
      expect(doc.openapi).toBe('3.1.0')
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/health', '/api/v1/tickets', '/api/v1/tickets/{number}']))
    })
  })
}
