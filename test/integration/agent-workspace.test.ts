import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { announceFirstAdmin } from '../../src/agents/first-admin.ts'
import { createLogger, silentLogger } from '../../src/logger.ts'
import type { Runtime } from '../../src/runtime.ts'
import { buildApp } from '../../src/web/app.ts'
import { createAgentSession, logIn, type AgentSession } from '../helpers/auth.ts'
import { buildEmail } from '../helpers/fixtures.ts'
import { createTestRuntime } from '../helpers/runtime.ts'
import { testDialects } from '../helpers/test-database.ts'

function htmlEmail(messageId: string, html: string, extra: string[] = []): Buffer {
  return Buffer.from(
    [
      'From: Mallory <mallory@customer.example>',
      'To: support@okpay.com',
      'Subject: HTML mail',
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      ...extra,
      '',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
      '--b1',
      'Content-Type: text/plain; name="receipt.txt"',
      'Content-Disposition: attachment; filename="receipt.txt"',
      '',
      'Payment receipt TX20261125',
      '--b1--',
      '',
    ].join('\r\n'),
  )
}

for (const dialect of testDialects()) {
  describe(`${dialect}: agent workspace API`, () => {
    let rt: Runtime
    let app: FastifyInstance
    let agent: AgentSession

    beforeEach(async () => {
      rt = await createTestRuntime(dialect)
      app = await buildApp({ config: rt.config, store: rt.store, spool: rt.spool, log: silentLogger })
      agent = await createAgentSession(app, rt.store, 'agent')
    })
    afterEach(async () => {
      await app.close()
      await rt.close()
    })

    async function ingest(...raws: Buffer[]) {
      for (const raw of raws) await rt.spool.spool({ raw, source: 'smtp' })
      await rt.worker.runUntilIdle()
    }
    const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, headers: Record<string, string> = agent.headers) =>
      app.inject({ method, url, headers, ...(payload ? { payload } : {}) })

    it('answers 401 with a clear message without a session or token, and leaves public routes open', async () => {
      for (const url of ['/api/v1/tickets', '/api/v1/views', '/api/v1/search?q=x', '/api/v1/dashboard', '/api/v1/raw-messages']) {
        const res = await app.inject({ method: 'GET', url })
        expect(res.statusCode, url).toBe(401)
        expect(res.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'log in or send an API token' } })
      }
      expect((await app.inject({ method: 'GET', url: '/api/v1/tickets', headers: { authorization: 'Bearer mdk_wrong' } })).statusCode).toBe(401)
      expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200)
      expect((await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).statusCode).toBe(200)
      expect((await app.inject({ method: 'GET', url: '/api/v1/official-channels' })).statusCode).toBe(200)
    })

    it('guards the route that answers, however its path is spelled: percent-encoded letters get 401 too', async () => {
      const spellings: Array<[method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string]> = [
        ['GET', '/%61pi/v1/tickets'],
        ['GET', '/api/v1/%74ickets'],
        ['GET', '/%61%70%69/v1/raw-messages'],
        ['GET', '/api%2Fv1/agents'],
        ['POST', '/%61pi/v1/messages'],
        ['PUT', '/%61pi/v1/customers/alice@example.com/anti-phishing-code'],
        ['GET', '/%61pi/v1/audit-log'],
      ]
      for (const [method, url] of spellings) {
        const res = await app.inject({ method, url, payload: method === 'GET' ? undefined : {} })
        expect([401, 404], `${method} ${url}`).toContain(res.statusCode)
        if (res.statusCode === 404) expect(res.json().error.code).toBe('NOT_FOUND')
      }
      expect((await app.inject({ method: 'GET', url: '/%61pi/v1/tickets' })).json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'log in or send an API token' } })
      expect((await app.inject({ method: 'GET', url: '/api/v1/%68ealth' })).statusCode).toBe(200)
    })

    it('answers an id or ticket number beyond the database integer range as unknown or invalid, never 500', async () => {
      const big = 99_999_999_999
      for (const url of [`/api/v1/attachments/${big}`, `/api/v1/messages/${big}/body.html`, '/api/v1/audit-log?before=99999999999']) {
        expect((await call('GET', url)).statusCode, url).toBe(400)
      }
      const ticket = await call('GET', `/api/v1/tickets/OKP-${big}`)
      expect(ticket.statusCode).toBe(404)
      expect(ticket.json().error.message).toBe(`no ticket OKP-${big}; ticket numbers look like OKP-1042`)
      expect((await call('GET', `/api/v1/search?assignee=${big}`)).statusCode).toBe(400)
      expect((await call('PATCH', `/api/v1/tickets/OKP-1001`, { assigneeAgentId: big })).statusCode).toBe(400)
    })

    it('sets an HttpOnly SameSite=Strict session cookie at login and ends the session at logout', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: agent.email.toUpperCase(), password: agent.password } })
      expect(res.statusCode).toBe(200)
      expect(String(res.headers['set-cookie'])).toMatch(/^maildesk_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/)
      const cookie = String(res.headers['set-cookie']).split(';')[0] ?? ''
      const headers = { cookie, 'x-csrf-token': res.json().csrfToken }
      expect((await call('GET', '/api/v1/auth/session', undefined, headers)).json().agent).toMatchObject({ email: agent.email, role: 'agent' })
      expect((await call('POST', '/api/v1/auth/logout', {}, headers)).statusCode).toBe(200)
      expect((await call('GET', '/api/v1/auth/session', undefined, headers)).statusCode).toBe(401)
    })

    it('rate-limits logins after five failures for an account, with a message saying when to retry', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: agent.email, password: 'wrong-password' } })
        expect(res.statusCode).toBe(401)
        expect(res.json().error).toEqual({ code: 'UNAUTHENTICATED', message: 'wrong email or password' })
      }
      const limited = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: agent.email, password: agent.password } })
      expect(limited.statusCode).toBe(429)
      expect(limited.json().error).toEqual({ code: 'RATE_LIMITED', message: 'too many failed logins; try again in 15 minutes' })
    })

    it('counts wrong current passwords like failed logins: a stolen token cannot guess the password for ever', async () => {
      const change = (currentPassword: string) =>
        app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: agent.bearer, payload: { currentPassword, password: 'a-brand-new-password' } })
      for (let i = 0; i < 5; i++) {
        const res = await change(`guess-${i}`)
        expect(res.statusCode).toBe(400)
        expect(res.json().error).toEqual({ code: 'INVALID_INPUT', message: 'currentPassword is wrong' })
      }
      const limited = await change(agent.password)
      expect(limited.statusCode).toBe(429)
      expect(limited.json().error.code).toBe('RATE_LIMITED')
      const audit = await rt.store.db.selectFrom('audit_log').select('action').where('agent_id', '=', agent.agentId).execute()
      expect(audit.filter((a) => a.action === 'password_change_failed')).toHaveLength(5)
    })

    it('refuses state changes from a session without the CSRF header, but not from an API token', async () => {
      await ingest(buildEmail({ messageId: '<c1@customer.example>' }))
      const noCsrf = await call('PATCH', '/api/v1/tickets/OKP-1001', { status: 'open' }, { cookie: agent.headers.cookie })
      expect(noCsrf.statusCode).toBe(403)
      expect(noCsrf.json().error.code).toBe('CSRF_TOKEN_INVALID')
      expect((await call('PATCH', '/api/v1/tickets/OKP-1001', { status: 'open' }, { cookie: agent.headers.cookie, 'x-csrf-token': 'forged' })).statusCode).toBe(403)
      expect((await call('PATCH', '/api/v1/tickets/OKP-1001', { status: 'open' }, agent.bearer)).json()).toEqual({ changed: ['status', 'solved_at'] })
    })

    it('lets only admins create agents and read the audit log', async () => {
      const body = { email: 'new.agent@okpay.com', password: 'new-agent-password', role: 'agent' }
      expect((await call('POST', '/api/v1/agents', body)).json().error).toEqual({ code: 'FORBIDDEN', message: 'only admins can do this' })
      const admin = await createAgentSession(app, rt.store, 'admin')
      const created = await call('POST', '/api/v1/agents', body, admin.headers)
      expect(created.statusCode).toBe(201)
      expect(created.json()).toMatchObject({ email: 'new.agent@okpay.com', role: 'agent' })
      const weak = await call('POST', '/api/v1/agents', { ...body, email: 'weak@okpay.com', password: 'short' }, admin.headers)
      expect(weak.json().error).toEqual({ code: 'INVALID_INPUT', message: 'password must be at least 10 characters (got 5)' })
      const audit = (await call('GET', '/api/v1/audit-log', undefined, admin.headers)).json()
      expect(audit.entries.map((e: { action: string }) => e.action)).toEqual(['agent.create', 'login', 'login'])
      expect((await call('GET', '/api/v1/audit-log')).statusCode).toBe(403)
    })

    it('counts views, assigns, notes, changes status and lists by view', async () => {
      await ingest(buildEmail({ messageId: '<v1@customer.example>', subject: 'One' }), buildEmail({ messageId: '<v2@customer.example>', subject: 'Two', from: 'b@customer.example' }))
      const counts = async () => Object.fromEntries((await call('GET', '/api/v1/views')).json().views.map((v: { name: string; count: number }) => [v.name, v.count]))
      expect(await counts()).toEqual({ new: 2, mine: 0, unassigned: 2, overdue: 0, pending: 0, solved: 0, all: 2 })
      expect((await call('PATCH', '/api/v1/tickets/OKP-1001', { assigneeAgentId: agent.agentId, priority: 'urgent', addTags: ['vip', '退款'] })).json()).toEqual({
        changed: ['priority', 'assignee_agent_id', 'tags'],
      })
      expect((await call('POST', '/api/v1/tickets/OKP-1001/notes', { text: 'Checked the ledger: payment is stuck.' })).statusCode).toBe(201)
      await call('PATCH', '/api/v1/tickets/OKP-1002', { status: 'pending' })
      expect(await counts()).toEqual({ new: 1, mine: 1, unassigned: 0, overdue: 0, pending: 1, solved: 0, all: 2 })
      const mine = (await call('GET', '/api/v1/views/mine/tickets')).json()
      expect(mine.tickets).toHaveLength(1)
      expect(mine.tickets[0]).toMatchObject({ number: 'OKP-1001', priority: 'urgent', assigneeAgentId: agent.agentId, tags: ['vip', '退款'] })
      const ticket = (await call('GET', '/api/v1/tickets/OKP-1001')).json()
      expect(ticket.messages.map((m: { direction: string }) => m.direction)).toEqual(['inbound', 'note'])
      expect(ticket.messages[1]).toMatchObject({ text: 'Checked the ledger: payment is stuck.', agentId: agent.agentId })
      const agentEvents = ticket.events.map((e: { type: string }) => e.type).filter((type: string) => !type.startsWith('acknowledgement'))
      expect(agentEvents).toEqual(['created', 'priority_changed', 'assigned', 'tags_changed', 'note_added'])
      const bad = await call('PATCH', '/api/v1/tickets/OKP-1001', { priority: 'whenever' })
      expect(bad.json().error).toEqual({ code: 'INVALID_INPUT', message: 'body/priority must be equal to one of the allowed values' })
    })

    it('merges a ticket into another: messages move, the source closes and points at the target', async () => {
      await ingest(buildEmail({ messageId: '<m1@customer.example>', subject: 'First' }), buildEmail({ messageId: '<m2@customer.example>', subject: 'Second', from: 'x@customer.example' }))
      const res = await call('POST', '/api/v1/tickets/OKP-1002/merge', { into: 'okp-1001' })
      expect(res.json()).toEqual({ merged: true, into: 'OKP-1001' })
      const target = (await call('GET', '/api/v1/tickets/OKP-1001')).json()
      expect(target.messages.map((m: { subject: string }) => m.subject)).toEqual(['First', 'Second'])
      const source = (await call('GET', '/api/v1/tickets/OKP-1002')).json()
      expect(source).toMatchObject({ status: 'closed', mergedInto: 'OKP-1001', messages: [] })
      expect((await call('GET', '/api/v1/views')).json().views.find((v: { name: string }) => v.name === 'all').count).toBe(1)
      expect((await call('POST', '/api/v1/tickets/OKP-1001/merge', { into: 'OKP-1001' })).json().error.message).toBe('a ticket cannot be merged into itself')
    })

    it('applies bulk actions to many tickets', async () => {
      await ingest(...[1, 2, 3].map((i) => buildEmail({ messageId: `<b${i}@customer.example>`, subject: `Bulk ${i}`, from: `c${i}@customer.example` })))
      const res = await call('POST', '/api/v1/tickets/bulk', { tickets: ['OKP-1001', 'OKP-1003'], changes: { status: 'solved' } })
      expect(res.json()).toEqual({ changed: 2 })
      const solved = (await call('GET', '/api/v1/views/solved/tickets')).json()
      expect(solved.tickets.map((t: { number: string }) => t.number).sort()).toEqual(['OKP-1001', 'OKP-1003'])
    })

    it('searches Chinese and English text with filters', async () => {
      await ingest(
        buildEmail({ messageId: '<s1@customer.example>', subject: '退款申请', body: '我的订单 TX20261125 退款还没有到账，请尽快处理。' }),
        buildEmail({ messageId: '<s2@customer.example>', subject: 'Withdrawal stuck', body: 'My withdrawal to the bank has been pending for three days.', from: 'w@customer.example' }),
        buildEmail({ messageId: '<s3@customer.example>', subject: '登录问题', body: '手机收不到验证短信，无法登录账户。', from: 'l@customer.example' }),
      )
      const search = async (q: string) => (await call('GET', `/api/v1/search?${q}`)).json().tickets.map((t: { number: string }) => t.number)
      expect(await search(`q=${encodeURIComponent('退款还没有到账')}`)).toEqual(['OKP-1001'])
      expect(await search(`q=${encodeURIComponent('退款')}`)).toEqual(['OKP-1001'])
      expect(await search(`q=${encodeURIComponent('登录')}`)).toEqual(['OKP-1003'])
      expect(await search('q=WITHDRAWAL')).toEqual(['OKP-1002'])
      expect(await search(`q=${encodeURIComponent('"pending for three" bank')}`)).toEqual(['OKP-1002'])
      expect(await search('q=tx20261125')).toEqual(['OKP-1001'])
      expect(await search(`q=${encodeURIComponent('100%_')}`)).toEqual([])
      await call('PATCH', '/api/v1/tickets/OKP-1003', { assigneeAgentId: agent.agentId, category: 'account' })
      expect(await search('assignee=me')).toEqual(['OKP-1003'])
      expect(await search('category=account&assignee=none')).toEqual([])
      expect(await search('from=2000-01-01&to=2000-01-02')).toEqual([])
    })

    it('finds a message whose only body is HTML by the words its reader sees, not by its markup', async () => {
      await ingest(htmlEmail('<h0@customer.example>', '<div style="font-family: Arial">My <b>withdrawal</b> to the bank&nbsp;is stuck</div><p>Order 7781</p>'))
      const search = async (q: string) => (await call('GET', `/api/v1/search?${q}`)).json().tickets.map((t: { number: string }) => t.number)
      expect(await search('q=withdrawal')).toEqual(['OKP-1001'])
      expect(await search(`q=${encodeURIComponent('"bank is stuck"')}`)).toEqual(['OKP-1001'])
      expect(await search('q=Arial')).toEqual([])
      const message = (await call('GET', '/api/v1/tickets/OKP-1001')).json().messages[0]
      expect(message.text).toBe('My withdrawal to the bank is stuck\n\nOrder 7781')
    })

    it('serves HTML bodies sanitized, under a CSP with no network, and attachments as downloads', async () => {
      await ingest(htmlEmail('<h1@customer.example>', '<p onclick="alert(1)">Hi<script>alert(2)</script><img src="https://attacker.example/t.gif"><a href="https://evil.example/login">okpay.com</a></p>'))
      const ticket = (await call('GET', '/api/v1/tickets/OKP-1001')).json()
      const message = ticket.messages[0]
      expect(message.html.trim()).toBe('<p>Hi<span class="md-image-blocked">[image]</span><a class="md-link" title="https://evil.example/login">okpay.com</a> <span class="md-link-target">⟨https://evil.example/login⟩</span></p>')
      const body = await call('GET', `/api/v1/messages/${message.id}/body.html`)
      expect(body.headers['content-security-policy']).toBe("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
      expect(body.headers['x-content-type-options']).toBe('nosniff')
      expect(body.body).not.toMatch(/script|onclick|attacker\.example/)
      const withImages = await call('GET', `/api/v1/messages/${message.id}/body.html?images=true`)
      expect(withImages.body).toContain('src="https://attacker.example/t.gif" referrerpolicy="no-referrer"')
      const attachment = message.attachments[0]
      const download = await call('GET', `/api/v1/attachments/${attachment.id}`)
      expect(download.headers['content-disposition']).toBe(`attachment; filename="receipt.txt"; filename*=UTF-8''receipt.txt`)
      expect(download.headers['content-type']).toBe('application/octet-stream')
      expect(download.headers['x-content-type-options']).toBe('nosniff')
      expect(download.headers['content-security-policy']).toBe("default-src 'none'; sandbox")
      expect(download.body.trim()).toBe('Payment receipt TX20261125')
    })

    it("shows a mail's embedded screenshot in its body, served only as the raster image its bytes are", async () => {
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
      const related = Buffer.from(
        [
          'From: Li Wei <li.wei@customer.example>',
          'To: support@okpay.com',
          'Subject: Error on payment page',
          'Message-ID: <cid-1@customer.example>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/related; boundary="r1"',
          '',
          '--r1',
          'Content-Type: text/html; charset=utf-8',
          '',
          '<p>See the error:</p><img src="cid:shot1@customer.example" alt="screenshot"><img src="cid:notes@customer.example" alt="notes">',
          '--r1',
          'Content-Type: image/png; name="shot.png"',
          'Content-Transfer-Encoding: base64',
          'Content-ID: <shot1@customer.example>',
          'Content-Disposition: inline; filename="shot.png"',
          '',
          png.toString('base64'),
          '--r1',
          'Content-Type: image/png; name="notes.png"',
          'Content-ID: <notes@customer.example>',
          'Content-Disposition: inline; filename="notes.png"',
          '',
          'these are not the bytes of a picture',
          '--r1--',
          '',
        ].join('\r\n'),
      )
      await ingest(related)
      const message = (await call('GET', '/api/v1/tickets/OKP-1001')).json().messages[0]
      const [shot, notes] = message.attachments as Array<{ id: number; filename: string }>
      expect([shot?.filename, notes?.filename]).toEqual(['shot.png', 'notes.png'])
      const body = (await call('GET', `/api/v1/messages/${message.id}/body.html`)).body
      expect(body).toContain(`<img alt="screenshot" src="/api/v1/attachments/${shot?.id}/inline">`)
      expect(body).toContain('<span class="md-image-blocked">[notes]</span>')
      const image = await call('GET', `/api/v1/attachments/${shot?.id}/inline`)
      expect(image.statusCode).toBe(200)
      expect(image.headers['content-type']).toBe('image/png')
      expect(image.headers['content-disposition']).toMatch(/^inline;/)
      expect(image.headers['content-security-policy']).toBe("default-src 'none'; sandbox")
      expect(image.rawPayload.equals(png)).toBe(true)
      // Text that calls itself image/png is never shown inline; it stays a download.
      expect((await call('GET', `/api/v1/attachments/${notes?.id}/inline`)).statusCode).toBe(404)
      expect((await call('GET', `/api/v1/attachments/${shot?.id}/inline`, undefined, {})).statusCode).toBe(401)
    })

    it('serves the UI with a strict CSP, and fills reply templates in the customer language', async () => {
      const page = await app.inject({ method: 'GET', url: '/agent/' })
      expect(page.statusCode).toBe(200)
      expect(page.headers['content-security-policy']).toContain("script-src 'self'")
      expect((await app.inject({ method: 'GET', url: '/agent/assets/main.js' })).headers['content-type']).toBe('text/javascript; charset=utf-8')
      expect((await app.inject({ method: 'GET', url: '/agent/assets/../../package.json' })).statusCode).toBe(404)
      await ingest(buildEmail({ messageId: '<t1@customer.example>', subject: '付款失败', body: '我的付款失败了，请帮忙查看。' }))
      const templates = (await call('GET', '/api/v1/tickets/OKP-1001/templates')).json()
      expect(templates.language).toBe('zh-CN')
      expect(templates.templates[0].language).toBe('zh-CN')
      expect(templates.templates[0].text).toContain('OKP-1001')
    })

    it('sends a reply through the outbound path: threaded, in the thread, first response recorded', async () => {
      await ingest(buildEmail({ messageId: '<r1@customer.example>', subject: 'Refund?' }))
      const res = await call('POST', '/api/v1/tickets/OKP-1001/replies', { text: 'We are on it.', status: 'pending' })
      expect(res.statusCode).toBe(201)
      expect(res.json()).toMatchObject({ status: 'sent' })
      const ticket = (await call('GET', '/api/v1/tickets/OKP-1001')).json()
      expect(ticket).toMatchObject({ status: 'pending' })
      expect(ticket.firstRepliedAt).toEqual(expect.any(String))
      expect(ticket.messages.map((m: { direction: string }) => m.direction)).toEqual(['inbound', 'outbound'])
      const outbox = path.join(rt.config.dataDir, 'outbox')
      // The outbox also holds the acknowledgement of the new ticket; the reply is the one with our text.
      const emls = readdirSync(outbox).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(path.join(outbox, f), 'utf8'))
      const replies = emls.filter((e) => e.includes('We are on it.'))
      expect(replies).toHaveLength(1)
      const eml = replies[0] ?? ''
      expect(eml).toMatch(/^In-Reply-To: <r1@customer\.example>/m)
      expect(eml).toContain('We are on it.')
      expect((await call('POST', '/api/v1/tickets/OKP-1001/replies', { text: '   ' })).json().error).toEqual({ code: 'INVALID_INPUT', message: 'a reply needs some text' })
    })

    it('moves a new ticket to open when an agent replies without choosing a status, and leaves others as they are', async () => {
      await ingest(buildEmail({ messageId: '<n1@customer.example>', subject: 'Card declined' }))
      expect((await call('GET', '/api/v1/tickets/OKP-1001')).json()).toMatchObject({ status: 'new' })
      expect((await call('POST', '/api/v1/tickets/OKP-1001/replies', { text: 'Looking into it.' })).statusCode).toBe(201)
      expect((await call('GET', '/api/v1/tickets/OKP-1001')).json()).toMatchObject({ status: 'open' })
      await call('PATCH', '/api/v1/tickets/OKP-1001', { status: 'pending' })
      await call('POST', '/api/v1/tickets/OKP-1001/replies', { text: 'One more thing.' })
      expect((await call('GET', '/api/v1/tickets/OKP-1001')).json()).toMatchObject({ status: 'pending' })
    })

    it('reports dashboard figures for the last days', async () => {
      await ingest(buildEmail({ messageId: '<d1@customer.example>' }))
      await call('PATCH', '/api/v1/tickets/OKP-1001', { category: 'phishing', status: 'solved' })
      const res = await call('GET', '/api/v1/dashboard?days=7')
      expect(res.statusCode, res.body).toBe(200)
      const d = res.json()
      expect(d.volume).toHaveLength(7)
      expect(d.volume.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBe(1)
      expect(d.categories).toEqual([{ category: 'phishing', count: 1 }])
      expect(d.resolutionMinutes.count).toBe(1)
      // Phishing reports come from the phishing_reports table (none here), one point per day.
      expect(d.phishingSource).toBe('phishing_reports')
      expect(d.phishingReports).toHaveLength(7)
    })

    it('creates the first admin once, only when there is no agent at all', async () => {
      const fresh = await createTestRuntime(dialect)
      try {
        const first = await announceFirstAdmin(fresh.store.db, fresh.config, silentLogger)
        expect(first).toMatch(/^[A-Za-z0-9_-]{20}$/)
        expect(await announceFirstAdmin(fresh.store.db, fresh.config, silentLogger)).toBeUndefined()
      } finally {
        await fresh.close()
      }
      expect(await announceFirstAdmin(rt.store.db, rt.config, silentLogger)).toBeUndefined()
    })

    it('leaves the first password in a file only this user can read, names the file in the log, and deletes it once the admin sets their own', async () => {
      const fresh = await createTestRuntime(dialect)
      const lines: string[] = []
      const log = createLogger('info', { write: (line: string) => void lines.push(line) })
      const freshApp = await buildApp({ config: fresh.config, store: fresh.store, spool: fresh.spool, log: silentLogger })
      try {
        const file = path.join(fresh.config.dataDir, 'secrets', 'first-admin-password')
        // Left by an earlier database in the same data directory: its password no longer works, and is replaced.
        mkdirSync(path.dirname(file), { recursive: true })
        writeFileSync(file, 'an-old-password\n', { mode: 0o644 })
        const password = (await announceFirstAdmin(fresh.store.db, fresh.config, log)) as string
        expect(readFileSync(file, 'utf8')).toBe(`${password}\n`)
        expect(statSync(file).mode & 0o777).toBe(0o600)
        expect(lines).toHaveLength(1)
        expect(lines[0]).not.toContain(password)
        expect(JSON.parse(lines[0] as string)).toMatchObject({
          email: 'admin@okpay.com',
          passwordFile: file,
          msg: `first start: created admin admin@okpay.com; the password is in ${file} (readable by this user only); log in at /agent/ and change it (PATCH /api/v1/auth/me, or \`maildesk admin set-password --email …\`), which deletes the file`,
        })

        const headers = await logIn(freshApp, 'admin@okpay.com', password)
        const changed = await freshApp.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers, payload: { currentPassword: password, password: 'a-password-of-my-own' } })
        expect(changed.statusCode).toBe(200)
        expect(existsSync(file)).toBe(false)
      } finally {
        await freshApp.close()
        await fresh.close()
      }
    })
  })
}
