import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Runtime } from '../../src/runtime.ts'
import { buildEmail } from '../helpers/fixtures.ts'
import { createTestApp } from '../helpers/runtime.ts'
import { testDialects } from '../helpers/test-database.ts'

for (const dialect of testDialects()) {
  describe(`${dialect}: a customer checks the verification code of an email they received`, () => {
    let rt: Runtime
    let app: FastifyInstance
    let close: () => Promise<void>
    beforeEach(async () => {
      ;({ rt, app, close } = await createTestApp(dialect))
    })
    afterEach(() => close())

    it('confirms the code in our acknowledgement, with date, masked recipient and subject; unknown codes are not ours', async () => {
      await rt.spool.spool({ raw: buildEmail({ subject: 'Refund request', body: 'Please refund order 9931, it was cancelled.' }), source: 'smtp' })
      await rt.worker.runUntilIdle()
      const outbox = path.join(rt.config.dataDir, 'outbox')
      const ack = readFileSync(path.join(outbox, readdirSync(outbox)[0] ?? ''), 'utf8').replace(/=\r?\n/g, '')
      const code = /verify\?code=3D([A-Z0-9-]+)|verify\?code=([A-Z0-9-]+)/.exec(ack)
      const value = code?.[1] ?? code?.[2]
      expect(value).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}/)

      const genuine = await app.inject({ method: 'GET', url: `/verify?lang=en&code=${value}` })
      expect(genuine.statusCode).toBe(200)
      expect(genuine.body).toContain('Genuine OKPay email.')
      expect(genuine.body).toContain('l***@customer.example')
      expect(genuine.body).toContain('[OKP-1001] Refund request')

      const forged = await app.inject({ method: 'GET', url: '/verify?lang=en&code=ABCD-EFGH' })
      expect(forged.body).toContain('We have no email with the verification code ABCD-EFGH.')
      const zh = await app.inject({ method: 'GET', url: `/verify?lang=zh-CN&code=${value}` })
      expect(zh.body).toContain('这是 OKPay 的真实邮件。')

      // As on the API, 30 code lookups a minute from one address: a found code shows a subject.
      const check = (remoteAddress: string, c = 'ABCD-EFGH') => app.inject({ method: 'GET', url: `/verify?lang=en&code=${c}`, remoteAddress })
      const statuses: number[] = []
      for (let i = 0; i < 30; i++) statuses.push((await check('203.0.113.9')).statusCode)
      expect(statuses).toEqual(Array(30).fill(200))
      const limited = await check('203.0.113.9', value)
      expect(limited.statusCode).toBe(429)
      expect(limited.body).toContain('We checked many verification codes from your connection in the last minute.')
      expect(limited.body).not.toContain('Refund request')
      expect((await check('203.0.113.10', value)).body).toContain('[OKP-1001] Refund request')
    })
  })
}
