import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { findCustomerByEmail, upsertCustomerByEmail } from '../../src/customers/customer.repository.ts'
import { silentLogger } from '../../src/logger.ts'
import { findAntiPhishingCode } from '../../src/notify/anti-phishing-code.ts'
import { findOutboundMessageById } from '../../src/notify/outbound-message.repository.ts'
import { sendAcknowledgement } from '../../src/notify/acknowledgement.service.ts'
import type { Runtime } from '../../src/runtime.ts'
import { insertTicket } from '../../src/tickets/ticket.repository.ts'
import { buildApp } from '../../src/web/app.ts'
import { createAgentSession } from '../helpers/auth.ts'
import { testConfig } from '../helpers/fixtures.ts'
import { createTestRuntime } from '../helpers/runtime.ts'
import { testDialects } from '../helpers/test-database.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: outbound HTTP routes`, () => {
    let rt: Runtime
    let app: FastifyInstance

    beforeEach(async () => {
      rt = await createTestRuntime(dialect, testConfig({ MAILDESK_SECRET_KEY: '12'.repeat(32) }))
      app = await buildApp({ config: rt.config, store: rt.store, spool: rt.spool, log: silentLogger })
    })
    afterEach(async () => {
      await app?.close()
      await rt?.close()
    })

    async function acknowledgedCode(): Promise<{ code: string; subject: string }> {
      const customer = await upsertCustomerByEmail(rt.store.db, 'jane.doe@example.com', 'Jane', new Date())
      const now = new Date().toISOString()
      const ticket = await insertTicket(rt.store.db, { subject: 'Refund', channel: 'email', customer_id: customer.id, created_at: now, updated_at: now, last_message_at: now })
      const deps = { db: rt.store.db, config: rt.config, transport: rt.transport, log: silentLogger, now: () => new Date() }
      const ack = await sendAcknowledgement(deps, { ticketId: ticket.id, content: { subject: 'Received', text: 'Hello', html: '<p>Hello</p>' }, language: 'en' })
      const row = await findOutboundMessageById(rt.store.db, ack.outboundMessageId ?? 0)
      return { code: row?.verification_code ?? '', subject: row?.subject ?? '' }
    }

    it('GET /api/v1/verify/code/:code confirms a genuine code without logging in', async () => {
      const { code, subject } = await acknowledgedCode()
      const res = await app.inject({ method: 'GET', url: `/api/v1/verify/code/${code.toLowerCase()}` })
      expect(res.statusCode).toBe(200)
      const body = res.json<{ found: boolean; sentAt: string; subject: string; maskedRecipient: string }>()
      expect(body).toMatchObject({ found: true, subject, maskedRecipient: 'j***@example.com' })
      expect(Number.isNaN(Date.parse(body.sentAt))).toBe(false)
    })

    it('answers unknown and malformed codes with the same { found: false }', async () => {
      for (const code of ['ZZZZ-ZZZZ', 'nonsense', '%27%20or%201%3D1']) {
        const res = await app.inject({ method: 'GET', url: `/api/v1/verify/code/${code}` })
        expect(res.statusCode).toBe(200)
        expect(res.json()).toEqual({ found: false })
      }
    })

    it('limits code checks to 30 a minute per client address', async () => {
      const answers: number[] = []
      for (let i = 0; i < 31; i++) answers.push((await app.inject({ method: 'GET', url: '/api/v1/verify/code/ZZZZ-ZZZZ', remoteAddress: '198.51.100.9' })).statusCode)
      expect(answers.filter((s) => s === 200)).toHaveLength(30)
      expect(answers.at(-1)).toBe(429)
      expect((await app.inject({ method: 'GET', url: '/api/v1/verify/code/ZZZZ-ZZZZ', remoteAddress: '198.51.100.10' })).statusCode).toBe(200)
    })

    it('PUT /api/v1/customers/:email/anti-phishing-code sets the code for a logged-in agent', async () => {
      const agent = await createAgentSession(app, rt.store)
      const url = `/api/v1/customers/${encodeURIComponent('Jane.Doe@example.com')}/anti-phishing-code`
      const res = await app.inject({ method: 'PUT', url, headers: agent.bearer, payload: { code: '蓝色狐狸 7' } })
      expect(res.statusCode).toBe(204)
      const customer = await findCustomerByEmail(rt.store.db, 'jane.doe@example.com')
      expect(await findAntiPhishingCode(rt.store.db, customer?.id ?? 0)).toBe('蓝色狐狸 7')
    })

    it('refuses codes that are too short, too long or not printable, without echoing them', async () => {
      const agent = await createAgentSession(app, rt.store)
      const url = `/api/v1/customers/jane.doe%40example.com/anti-phishing-code`
      const cases: Array<[string, string]> = [
        ['abc', 'the anti-phishing code must be 4 to 32 characters (got 3)'],
        ['x'.repeat(33), 'the anti-phishing code must be 4 to 32 characters (got 33)'],
        ['abcd\u0007', 'the anti-phishing code may hold letters, digits, punctuation, symbols and spaces only'],
        ['ab\ncd', 'the anti-phishing code may hold letters, digits, punctuation, symbols and spaces only'],
      ]
      for (const [code, message] of cases) {
        const res = await app.inject({ method: 'PUT', url, headers: agent.bearer, payload: { code } })
        expect(res.statusCode).toBe(400)
        expect(res.json()).toEqual({ error: { code: 'INVALID_INPUT', message } })
      }
    })

    it('DELETE …/anti-phishing-code removes the code; DELETE …/mail-block lets mail through again', async () => {
      const agent = await createAgentSession(app, rt.store)
      const base = '/api/v1/customers/jane.doe%40example.com'
      expect((await app.inject({ method: 'PUT', url: `${base}/anti-phishing-code`, headers: agent.bearer, payload: { code: 'BlueFox-7' } })).statusCode).toBe(204)
      expect((await app.inject({ method: 'DELETE', url: `${base}/anti-phishing-code`, headers: agent.bearer })).statusCode).toBe(204)
      const customer = await findCustomerByEmail(rt.store.db, 'jane.doe@example.com')
      expect(await findAntiPhishingCode(rt.store.db, customer?.id ?? 0)).toBeUndefined()

      await rt.store.db.updateTable('customers').set({ mail_blocked: 1 }).execute()
      expect((await app.inject({ method: 'DELETE', url: `${base}/mail-block`, headers: agent.bearer })).statusCode).toBe(204)
      expect(await findCustomerByEmail(rt.store.db, 'jane.doe@example.com')).toMatchObject({ mail_blocked: 0 })
      const unknown = await app.inject({ method: 'DELETE', url: '/api/v1/customers/nobody%40example.com/mail-block', headers: agent.bearer })
      expect(unknown.statusCode).toBe(404)
    })

    it('needs a logged-in agent to set a code', async () => {
      const res = await app.inject({ method: 'PUT', url: '/api/v1/customers/jane.doe%40example.com/anti-phishing-code', payload: { code: 'BlueFox-7' } })
      expect(res.statusCode).toBe(401)
    })
  })
}
