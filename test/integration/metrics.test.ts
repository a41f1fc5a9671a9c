import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseMetricsPort, parseServeRole } from '../../src/cli/serve.ts'
import { silentLogger } from '../../src/logger.ts'
import type { Runtime } from '../../src/runtime.ts'
import { buildApp } from '../../src/web/app.ts'
import { loadConfig } from '../../src/config.ts'
import { buildEmail } from '../helpers/fixtures.ts'
import { createTestRuntime } from '../helpers/runtime.ts'
import { startServeProcess } from '../helpers/serve-process.ts'
import { testDialects } from '../helpers/test-database.ts'

function sample(text: string, name: string): string | undefined {
  return text.split('\n').find((line) => line.startsWith(`${name} `))?.slice(name.length + 1)
}

for (const dialect of testDialects()) {
  describe(`${dialect}: GET /metrics`, () => {
    let rt: Runtime
    let app: FastifyInstance
    beforeEach(async () => {
      rt = await createTestRuntime(dialect)
      app = await buildApp({ config: rt.config, store: rt.store, spool: rt.spool, log: silentLogger, metrics: rt.metrics })
    })
    afterEach(async () => {
      await app.close()
      await rt.close()
    })

    it('reports queue depth and age, message outcomes, stage latencies and acknowledgements in the Prometheus text format', async () => {
      const spooledAt = new Date(Date.now() - 90_000)
      for (const n of [1, 2, 3]) {
        await rt.spool.spool({ raw: buildEmail({ messageId: `<m${n}@customer.example>`, from: `c${n}@customer.example` }), source: 'smtp', rcptTo: ['support@okpay.com'], receivedAt: spooledAt })
      }
      await rt.spool.spool({ raw: buildEmail({ messageId: '<m1@customer.example>', from: 'c1@customer.example' }), source: 'smtp', rcptTo: ['support@okpay.com'] })
      const before = await app.inject({ method: 'GET', url: '/metrics' })
      expect(before.statusCode).toBe(200)
      expect(before.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
      expect(sample(before.body, 'maildesk_queue_depth')).toBe('4')
      expect(Number(sample(before.body, 'maildesk_queue_oldest_age_seconds'))).toBeGreaterThanOrEqual(90)

      await rt.worker.runUntilIdle()
      const after = (await app.inject({ method: 'GET', url: '/metrics' })).body
      expect(sample(after, 'maildesk_queue_depth')).toBe('0')
      expect(sample(after, 'maildesk_queue_oldest_age_seconds')).toBe('0')
      expect(sample(after, 'maildesk_raw_messages{status="processed"}')).toBe('3')
      expect(sample(after, 'maildesk_raw_messages{status="duplicate"}')).toBe('1')
      expect(sample(after, 'maildesk_worker_messages_total{outcome="created"}')).toBe('3')
      expect(sample(after, 'maildesk_worker_messages_total{outcome="duplicate"}')).toBe('1')
      expect(sample(after, 'maildesk_worker_stage_seconds_count{stage="analyze"}')).toBe('4')
      expect(sample(after, 'maildesk_worker_stage_seconds_count{stage="acknowledge"}')).toBe('3')
      expect(sample(after, 'maildesk_outbound_messages{kind="acknowledgement",status="sent"}')).toBe('3')
      expect(sample(after, 'maildesk_sla_flags{target="first_response",state="breached"}')).toBe('0')
    })
  })
}

describe('serve --role', () => {
  it('accepts all, http, smtp and worker, defaulting to all', () => {
    expect(['all', 'http', 'smtp', 'worker', undefined].map(parseServeRole)).toEqual(['all', 'http', 'smtp', 'worker', 'all'])
  })
  it('rejects anything else, naming the choices', () => {
    expect(() => parseServeRole('workers')).toThrow('--role must be one of all, http, smtp, worker (got "workers")')
  })
})

describe('serve --metrics-port', () => {
  it('takes a port number, 0 for any free port', () => {
    expect(['0', '9464', '65535', undefined].map(parseMetricsPort)).toEqual([0, 9464, 65535, undefined])
  })
  it('rejects anything else', () => {
    expect(() => parseMetricsPort('65536')).toThrow('--metrics-port must be a port number 0-65535 (got "65536")')
    expect(() => parseMetricsPort('-1')).toThrow('--metrics-port must be a port number 0-65535 (got "-1")')
  })
})

describe('GET /metrics with MAILDESK_METRICS_TOKEN', () => {
  const token = 'scrape-3f9a1c7e5b2d4a68'

  it('answers only the bearer token, on the web app', async () => {
    const rt = await createTestRuntime('sqlite')
    const app = await buildApp({ config: { ...rt.config, metricsToken: token }, store: rt.store, spool: rt.spool, log: silentLogger, metrics: rt.metrics })
    try {
      const bare = await app.inject({ url: '/metrics' })
      expect(bare.statusCode).toBe(401)
      expect(bare.headers['www-authenticate']).toBe('Bearer realm="metrics"')
      expect(bare.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <MAILDESK_METRICS_TOKEN>' } })
      expect((await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}x` } })).statusCode).toBe(401)
      const scraped = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } })
      expect(scraped.statusCode).toBe(200)
      expect(sample(scraped.body, 'maildesk_queue_depth')).toBe('0')
    } finally {
      await app.close()
      await rt.close()
    }
  })

  it("answers only the bearer token, on a worker's --metrics-port listener", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'maildesk-metrics-token-'))
    const node = await startServeProcess({ dataDir, args: ['--role', 'worker', '--metrics-port', '0'], env: { MAILDESK_METRICS_TOKEN: token } })
    try {
      const url = `http://${node.metrics ?? 'missing'}/metrics`
      const bare = await fetch(url)
      expect(bare.status).toBe(401)
      expect(bare.headers.get('www-authenticate')).toBe('Bearer realm="metrics"')
      expect(await bare.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <MAILDESK_METRICS_TOKEN>' } })
      const elsewhere = await fetch(url.replace(/\/metrics$/, '/api/v1/tickets'), { headers: { authorization: `Bearer ${token}` } })
      expect(elsewhere.status).toBe(404)
      expect(await elsewhere.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /api/v1/tickets: this port serves GET /metrics only' } })
      const scraped = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
      expect(scraped.status).toBe(200)
      expect(sample(await scraped.text(), 'maildesk_queue_depth')).toBe('0')
      // Routed by path, as the web app routes it: a query string a scraper adds changes nothing.
      const withQuery = await fetch(`${url}?name[]=maildesk_queue_depth`, { headers: { authorization: `Bearer ${token}` } })
      expect(withQuery.status).toBe(200)
      expect(sample(await withQuery.text(), 'maildesk_queue_depth')).toBe('0')
    } finally {
      await node.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('refuses a token shorter than 16 characters at start', () => {
    expect(() => loadConfig({ MAILDESK_METRICS_TOKEN: 'short' })).toThrow(/MAILDESK_METRICS_TOKEN.*must be at least 16 characters/)
    // Read as `Authorization: Bearer <token>`, which holds 1-200 characters without spaces (web/auth.ts bearerToken).
    expect(() => loadConfig({ MAILDESK_METRICS_TOKEN: 'x'.repeat(201) })).toThrow(/MAILDESK_METRICS_TOKEN.*must be at most 200 characters/)
    expect(() => loadConfig({ MAILDESK_METRICS_TOKEN: 'scrape token 3f9a1c7e' })).toThrow(/MAILDESK_METRICS_TOKEN.*must not contain spaces/)
  })
})
