import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import PostalMime from 'postal-mime'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getTicketWithThread } from '../../src/tickets/ticket.service.ts'
import { testDialects } from '../helpers/test-database.ts'
import { createPublicTestApp, hiddenInput, multipartBody, type PublicTestApp } from './public-test-app.ts'

let clock = new Date('2026-11-25T10:00:00Z')
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms)
}

const firstMail = [
  'From: Wang Fang <wang.fang@example.com>',
  'To: support@okpay.com',
  'Subject: Withdrawal stuck',
  'Message-ID: <w1@example.com>',
  'Date: Wed, 25 Nov 2026 09:00:00 +0000',
  '',
  'My withdrawal W-2231 has been pending for three days.',
  '',
].join('\r\n')

const form = (fields: Record<string, string>) => ({
  payload: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
})

for (const dialect of testDialects()) {
  describe(`${dialect}: status portal`, () => {
    let t: PublicTestApp
    let ticketNumber: string
    let ticketId: number

    beforeEach(async () => {
      t = await createPublicTestApp(dialect, { now: () => clock, ticketWaitMs: 0, portalLinkTtlMs: 30 * 60_000 })
      await t.spool.spool({ raw: Buffer.from(firstMail), source: 'file' })
      const [result] = await t.worker.runUntilIdle()
      if (!result?.ok) throw new Error('fixture ticket was not created')
      ticketNumber = result.outcome.ticketNumber
      ticketId = result.outcome.ticketId
    })
    afterEach(async () => {
      await t?.close()
    })

    const outbox = () => path.join(t.dataDir, 'outbox')
    const outboxFiles = () => (existsSync(outbox()) ? readdirSync(outbox()).filter((f) => f.endsWith('.eml')) : [])

    async function requestLink(ticket: string, email: string) {
      return t.app.inject({ method: 'POST', url: '/status?lang=en', ...form({ ticket, email, website: '' }) })
    }

    /** The status links mailed so far, oldest first (other mail, such as acknowledgements, is skipped). */
    async function linksInOutbox(): Promise<string[]> {
      const links: string[] = []
      for (const file of outboxFiles().sort()) {
        const mail = await PostalMime.parse(readFileSync(path.join(outbox(), file)))
        const url = /http:\/\/127\.0\.0\.1:8080(\/status\/open\/[\w-]{43})/.exec(mail.text ?? '')
        if (url?.[1]) links.push(url[1])
      }
      return links
    }

    /** Waits for the index-th link mail (it is written after the answer) and returns the link's path. */
    async function linkFromOutbox(index = 0): Promise<string> {
      for (let i = 0; i < 100; i++) {
        const link = (await linksInOutbox())[index]
        if (link) return link
        await new Promise((r) => setTimeout(r, 50))
      }
      throw new Error('no link mail in the outbox')
    }

    async function openSession(linkPath: string): Promise<string> {
      const confirm = await t.app.inject({ url: linkPath })
      expect(confirm.statusCode).toBe(200)
      const res = await t.app.inject({ method: 'POST', url: '/status/open', ...form({ token: hiddenInput(confirm.body, 'token') }) })
      expect(res.statusCode).toBe(303)
      const cookie = /md_portal=([\w-]+)/.exec(String(res.headers['set-cookie']))?.[1]
      if (!cookie) throw new Error('no session cookie')
      return `md_portal=${cookie}`
    }

    const counts = async () => {
      const n = async (table: 'portal_links' | 'portal_sessions' | 'raw_messages') =>
        Number((await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n)
      return { links: await n('portal_links'), sessions: await n('portal_sessions'), raw: await n('raw_messages') }
    }

    it('mails a one-time link that opens the thread, takes a reply with an upload, closes the ticket and sets the code', async () => {
      const answer = await requestLink(ticketNumber.toLowerCase(), 'Wang.Fang@example.com')
      expect(answer.statusCode).toBe(200)
      expect(answer.body).toContain('If the ticket number and email address match, we have emailed you a link.')
      const cookie = await openSession(await linkFromOutbox())

      const page = await t.app.inject({ url: '/status/ticket?lang=en', headers: { cookie } })
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('My withdrawal W-2231 has been pending for three days.')
      const csrf = hiddenInput(page.body, 'csrf')

      const upload = multipartBody({ csrf, text: 'Here is the screenshot of the pending withdrawal.' }, [
        { name: 'attachments', filename: 'pending.png', contentType: 'image/png', content: Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 2)]) },
      ])
      const replied = await t.app.inject({ method: 'POST', url: '/status/ticket/reply', payload: upload.payload, headers: { ...upload.headers, cookie } })
      expect(replied.statusCode).toBe(303)
      const [processed] = await t.worker.runUntilIdle()
      expect(processed).toMatchObject({ ok: true, outcome: { status: 'joined', ticketId } })
      const thread = await getTicketWithThread(t.store.db, ticketId)
      expect(thread.messages.map((m) => m.text_body?.trim())).toEqual([
        'My withdrawal W-2231 has been pending for three days.',
        'Here is the screenshot of the pending withdrawal.',
      ])
      expect(thread.attachments.map((a) => a.filename)).toEqual(['pending.png'])

      const closed = await t.app.inject({ method: 'POST', url: '/status/ticket/close', ...form({ csrf }), headers: { ...form({}).headers, cookie } })
      expect(closed.statusCode).toBe(303)
      expect((await getTicketWithThread(t.store.db, ticketId)).ticket.status).toBe('closed')

      const code = await t.app.inject({ method: 'POST', url: '/status/ticket/code', payload: new URLSearchParams({ csrf, code: 'blue kite 7' }).toString(), headers: { ...form({}).headers, cookie } })
      expect(code.statusCode).toBe(303)
      const after = await t.app.inject({ url: '/status/ticket?lang=en&done=code', headers: { cookie } })
      expect(after.body).toContain('Your current code: blue kite 7')
      expect(after.body).toContain('Your anti-phishing code is saved.')
    })

    it('gives the same answer for a wrong address, creates no link and sends nothing', async () => {
      const right = await requestLink(ticketNumber, 'wang.fang@example.com')
      await linkFromOutbox()
      const wrong = await requestLink(ticketNumber, 'attacker@example.net')
      const unknown = await requestLink('OKP-99999', 'wang.fang@example.com')
      const strip = (body: string) => body.replace(/value="[^"]*"/g, '')
      expect(wrong.statusCode).toBe(right.statusCode)
      expect(strip(wrong.body)).toBe(strip(right.body))
      expect(strip(unknown.body)).toBe(strip(right.body))
      expect((await counts()).links).toBe(1)
      await new Promise((r) => setTimeout(r, 200))
      expect(await linksInOutbox()).toHaveLength(1)
    })

    it('answers a reused, an expired and a made-up link alike, and changes nothing', async () => {
      await requestLink(ticketNumber, 'wang.fang@example.com')
      const link = await linkFromOutbox()
      await openSession(link)
      const before = await counts()

      const reused = await t.app.inject({ url: `${link}?lang=en` })
      const reusedPost = await t.app.inject({ method: 'POST', url: '/status/open?lang=en', ...form({ token: link.split('/').pop() ?? '' }) })
      const madeUp = await t.app.inject({ url: '/status/open/' + 'A'.repeat(43) + '?lang=en' })
      const garbage = await t.app.inject({ method: 'POST', url: '/status/open?lang=en', ...form({ token: '<script>' }) })
      for (const res of [reused, reusedPost, madeUp, garbage]) {
        expect(res.statusCode).toBe(404)
        expect(res.body).toContain('This link cannot be used')
        expect(res.headers['set-cookie'] ?? '').not.toContain('md_portal')
      }

      later(60_000)
      await requestLink(ticketNumber, 'wang.fang@example.com')
      const second = await linkFromOutbox(1)
      expect(second).not.toBe(link)
      later(31 * 60_000)
      const expired = await t.app.inject({ method: 'POST', url: '/status/open?lang=en', ...form({ token: second.split('/').pop() ?? '' }) })
      expect(expired.statusCode).toBe(404)
      expect(expired.body).toContain('This link cannot be used')
      expect((await counts()).sessions).toBe(before.sessions)
    })

    it('lets exactly one of two simultaneous uses of a link through', async () => {
      await requestLink(ticketNumber, 'wang.fang@example.com')
      const token = (await linkFromOutbox()).split('/').pop() ?? ''
      const both = await Promise.all([1, 2].map(() => t.app.inject({ method: 'POST', url: '/status/open?lang=en', ...form({ token }) })))
      expect(both.map((r) => r.statusCode).sort()).toEqual([303, 404])
      expect((await counts()).sessions).toBe(1)
    })

    it('refuses portal actions without the session or with a forged CSRF token', async () => {
      await requestLink(ticketNumber, 'wang.fang@example.com')
      const cookie = await openSession(await linkFromOutbox())
      const noSession = await t.app.inject({ method: 'POST', url: '/status/ticket/close?lang=en', ...form({ csrf: 'x' }) })
      expect(noSession.statusCode).toBe(401)
      const forged = await t.app.inject({ method: 'POST', url: '/status/ticket/close?lang=en', payload: 'csrf=forged', headers: { ...form({}).headers, cookie } })
      expect(forged.statusCode).toBe(401)
      expect((await getTicketWithThread(t.store.db, ticketId)).ticket.status).not.toBe('closed')
    })

    it('rate-limits lookups from one address', async () => {
      const statuses: number[] = []
      for (let i = 0; i < 7; i++) statuses.push((await requestLink(`OKP-${2000 + i}`, 'x@example.com')).statusCode)
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429])
    })
  })
}
