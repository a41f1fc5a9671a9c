import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Runtime } from '../../src/runtime.ts'
import { createAgentSession } from '../helpers/auth.ts'
import { createTestApp } from '../helpers/runtime.ts'
import { testDialects } from '../helpers/test-database.ts'

function messageWith(filename: string, contentType: string, bytes: Buffer): Buffer {
  return Buffer.from(
    [
      'From: Li Wei <li.wei@customer.example>',
      'To: support@okpay.com',
      `Subject: ${filename}`,
      `Message-ID: <${filename}@customer.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Please look at ${filename} for my payment problem.`,
      '--b',
      `Content-Type: ${contentType}`,
      `Content-Disposition: attachment; filename="${filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      bytes.toString('base64'),
      '--b--',
      '',
    ].join('\r\n'),
  )
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)])
// A Windows executable ("MZ" header) sent with an innocent name and type.
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62, 0), Buffer.from('This program cannot be run in DOS mode')])

for (const dialect of testDialects()) {
  describe(`${dialect}: attachments agents may download`, () => {
    let rt: Runtime
    let app: FastifyInstance
    let close: () => Promise<void>
    beforeEach(async () => {
      ;({ rt, app, close } = await createTestApp(dialect))
    })
    afterEach(() => close())

    it('serves a picture as a download with safe headers, and withholds an executable disguised as a PDF', async () => {
      await rt.spool.spool({ raw: messageWith('screenshot.png', 'image/png', PNG), source: 'smtp' })
      await rt.spool.spool({ raw: messageWith('statement.pdf', 'application/pdf', EXE), source: 'smtp' })
      await rt.worker.runUntilIdle()
      const { headers } = await createAgentSession(app, rt.store, 'agent')
      const rows = await rt.store.db.selectFrom('attachments').select(['id', 'filename']).orderBy('id').execute()
      expect(rows.map((r) => r.filename)).toEqual(['screenshot.png', 'statement.pdf'])

      const picture = await app.inject({ method: 'GET', url: `/api/v1/attachments/${rows[0]?.id}`, headers })
      expect(picture.statusCode).toBe(200)
      expect(picture.headers['content-disposition']).toMatch(/^attachment;/)
      expect(picture.headers['x-content-type-options']).toBe('nosniff')
      expect(picture.rawPayload.equals(PNG)).toBe(true)

      const disguised = await app.inject({ method: 'GET', url: `/api/v1/attachments/${rows[1]?.id}`, headers })
      expect(disguised.statusCode).toBe(403)
      expect(disguised.json().error.message).toMatch(/^this attachment is withheld \(quarantine/)
      const verdict = await rt.store.db.selectFrom('attachment_verdicts').selectAll().where('verdict', '=', 'quarantine').executeTakeFirst()
      expect(verdict?.detected_type).not.toBe('application/pdf')

      // The ticket says which file is withheld, so the workspace shows it instead of a download that fails.
      const ticket = (await app.inject({ method: 'GET', url: '/api/v1/tickets/OKP-1002', headers })).json()
      expect(ticket.messages[0].attachments).toMatchObject([{ filename: 'statement.pdf', withheld: { verdict: 'quarantine', reason: expect.any(String) } }])
      const first = (await app.inject({ method: 'GET', url: '/api/v1/tickets/OKP-1001', headers })).json()
      expect(first.messages[0].attachments).toMatchObject([{ filename: 'screenshot.png', withheld: null }])
    })

    it('serves a file whose long name ends in an emoji (the header cut must not split it)', async () => {
      const filename = `${'a'.repeat(149)}😀.png`
      await rt.spool.spool({ raw: messageWith(filename, 'image/png', PNG), source: 'smtp' })
      await rt.worker.runUntilIdle()
      const { headers } = await createAgentSession(app, rt.store, 'agent')
      const row = await rt.store.db.selectFrom('attachments').select(['id', 'filename']).executeTakeFirstOrThrow()
      expect(row.filename).toBe(filename)
      const res = await app.inject({ method: 'GET', url: `/api/v1/attachments/${row.id}`, headers })
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('application/octet-stream')
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${'a'.repeat(149)}__.png"; filename*=UTF-8''${'a'.repeat(149)}%F0%9F%98%80.png`)
      expect(res.rawPayload.equals(PNG)).toBe(true)
    })

    it('tells the customer kindly, in the acknowledgement, which file was set aside', async () => {
      await rt.spool.spool({ raw: messageWith('statement.pdf', 'application/pdf', EXE), source: 'smtp' })
      await rt.worker.runUntilIdle()
      const dir = path.join(rt.config.dataDir, 'outbox')
      const ack = readFileSync(path.join(dir, readdirSync(dir)[0] ?? ''), 'utf8').replace(/=\r?\n/g, '')
      expect(ack).toContain('could not accept some of its attachments')
      expect(ack).toContain('statement.pdf')
    })
  })
}
