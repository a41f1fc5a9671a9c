import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { RawMessageSpool } from '../../src/intake/raw-message-spool.ts'
import { silentLogger } from '../../src/logger.ts'
import { createZoneResolver } from '../../src/pipeline/authenticate-sender.ts'
import type { Store } from '../../src/store/database.ts'
import { buildApp } from '../../src/web/app.ts'
import { createAgentSession, type AgentSession } from '../helpers/auth.ts'
import { createTestDatabase, testDialects } from '../helpers/test-database.ts'

const eml = (name: string) => readFileSync(new URL(`../fixtures/verifier/emails/${name}`, import.meta.url))

for (const dialect of testDialects()) {
  describe(`${dialect}: phishing reports over HTTP`, () => {
    let app: FastifyInstance
    let store: Store
    let dataDir: string
    let agent: AgentSession
    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-phishing-http-'))
      const config = loadConfig({ MAILDESK_DATA_DIR: dataDir, MAILDESK_PUBLIC_URL: 'http://127.0.0.1:8080' })
      store = await createTestDatabase(dialect)
      app = await buildApp({ config, store, spool: new RawMessageSpool(store.db), log: silentLogger, dnsResolver: createZoneResolver({}) })
      agent = await createAgentSession(app, store)
    })
    afterAll(async () => {
      await app.close()
      await store.destroy()
      rmSync(dataDir, { recursive: true, force: true })
    })

    it('records reports, groups them, and exports the campaigns as JSON and CSV', async () => {
      const post = (name: string) =>
        app.inject({ method: 'POST', url: '/api/v1/phishing/reports', headers: { ...agent.bearer, 'content-type': 'message/rfc822' }, payload: eml(name) })
      const first = await post('lookalike-okpay-support-en.eml')
      expect(first.statusCode).toBe(201)
      expect(first.json()).toMatchObject({ isNewCampaign: true, verdict: 'impersonation' })
      const again = await post('lookalike-okpay-support-en.eml')
      expect(again.json()).toMatchObject({ isNewCampaign: false, campaignId: first.json().campaignId })
      await post('lookalike-omission-en.eml')

      const list = await app.inject({ method: 'GET', url: '/api/v1/phishing/campaigns', headers: agent.bearer })
      expect(list.statusCode).toBe(200)
      const campaigns = list.json().campaigns
      expect(campaigns).toHaveLength(2)
      expect(campaigns.find((c: { id: number }) => c.id === first.json().campaignId)).toMatchObject({
        reportCount: 2,
        senderDomains: ['okpay-support.com'],
        linkDomains: ['okpay-support.com'],
        sampleSubject: 'Your account has been limited',
      })

      const csv = await app.inject({ method: 'GET', url: '/api/v1/phishing/campaigns?format=csv', headers: agent.bearer })
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
      expect(csv.headers['content-disposition']).toBe('attachment; filename="phishing-campaigns.csv"')
      expect(csv.body.split('\r\n')[0]).toBe('id,report_count,first_seen_at,last_seen_at,sender_domains,link_domains,sample_subject')
      expect(csv.body).toContain('"okpay-support.com","okpay-support.com","Your account has been limited"')
    })

    it('is for signed-in staff only', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/v1/phishing/campaigns' })
      expect(res.statusCode).toBe(401)
    })

    it('refuses something that is not an email', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/phishing/reports', headers: { ...agent.bearer, 'content-type': 'message/rfc822' }, payload: Buffer.from('hello') })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ error: { code: 'NOT_AN_EMAIL' } })
    })
  })
}
