import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getTicketWithThread } from '../../src/tickets/ticket.service.ts'
import { testDialects } from '../helpers/test-database.ts'
import { solveProofOfWork } from '../../src/public/feedback/form-token.ts'
import { createPublicTestApp, hiddenInput, multipartBody, type PublicTestApp, type UploadPart } from './public-test-app.ts'

const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(200, 1)])
const screenshot: UploadPart = { name: 'attachments', filename: 'screen.png', contentType: 'image/png', content: png }

// The page is served at `now`; the visitor submits 10 s later (a human pace) unless a test says otherwise.
let clock = new Date('2026-11-25T10:00:00Z')
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms)
}

for (const dialect of testDialects()) {
  describe(`${dialect}: feedback form`, () => {
    let t: PublicTestApp
    beforeEach(async () => {
      t = await createPublicTestApp(dialect, { now: () => clock, powBits: 0, ticketWaitMs: 0, maxFileBytes: 64 * 1024 })
    })
    afterEach(async () => {
      await t?.close()
    })

    async function formToken(): Promise<string> {
      const page = await t.app.inject({ url: '/feedback?lang=en' })
      expect(page.statusCode).toBe(200)
      return hiddenInput(page.body, 'form_token')
    }

    const fields = (token: string, overrides: Record<string, string> = {}) => ({
      form_token: token,
      pow_nonce: '',
      name: 'Li Lei',
      email: 'li.lei@example.com',
      website: '',
      subject: 'Refund not received',
      message: 'Transaction T20261120-88 for 25.00 CNY, refund promised on 20 November.',
      ...overrides,
    })

    async function submit(f: Record<string, string>, files: UploadPart[] = []) {
      const body = multipartBody(f, files)
      return t.app.inject({ method: 'POST', url: '/feedback?lang=en', payload: body.payload, headers: body.headers })
    }

    async function rawCount(): Promise<number> {
      const r = await t.store.db.selectFrom('raw_messages').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
      return Number(r.n)
    }

    it('turns a submission with a screenshot into a web ticket through the pipeline', async () => {
      const token = await formToken()
      later(10_000)
      const res = await submit(fields(token), [screenshot])
      expect(res.statusCode).toBe(201)
      expect(res.body).toContain('we have your message')
      const [result] = await t.worker.runUntilIdle()
      expect(result).toMatchObject({ ok: true })
      const ticketId = result?.ok ? result.outcome.ticketId : 0
      const thread = await getTicketWithThread(t.store.db, ticketId)
      expect(thread.ticket.channel).toBe('web')
      expect(thread.ticket.subject).toBe('Refund not received')
      expect(thread.customer?.email).toBe('li.lei@example.com')
      expect(thread.messages[0]?.text_body).toContain('T20261120-88')
      expect(thread.attachments.map((a) => [a.filename, a.content_type, a.size_bytes])).toEqual([['screen.png', 'image/png', png.length]])
    })

    it('keeps a 10,000-character Chinese message whole (30,000 bytes), and refuses rather than cuts a longer field', async () => {
      const message = '我的退款还没有到账，请帮我查一下。'.repeat(589).slice(0, 10_000)
      expect(Buffer.byteLength(message)).toBe(30_000)
      const token = await formToken()
      later(10_000)
      expect((await submit(fields(token, { message }))).statusCode).toBe(201)
      const [result] = await t.worker.runUntilIdle()
      const thread = await getTicketWithThread(t.store.db, result?.ok ? result.outcome.ticketId : 0)
      expect(thread.messages[0]?.text_body?.trim()).toBe(message)

      const tooLong = await submit(fields(await formToken(), { message: '退'.repeat(30_000) }))
      expect(tooLong.statusCode).toBe(413)
      expect(await rawCount()).toBe(1)
    })

    it("never adds a stranger's submission to the ticket of the address they typed, whatever the subject says", async () => {
      const token = await formToken()
      later(10_000)
      expect((await submit(fields(token, { email: 'alice@example.com', subject: 'Card blocked' }))).statusCode).toBe(201)
      const [first] = await t.worker.runUntilIdle()
      const aliceTicket = first?.ok ? first.outcome.ticketNumber : ''
      expect(aliceTicket).toMatch(/^OKP-\d+$/)
      // Same address, the ticket's token, the same subject: all a stranger can type.
      const strangersToken = await formToken()
      later(10_000)
      await submit(fields(strangersToken, { email: 'alice@example.com', subject: `[${aliceTicket}] Card blocked`, message: 'Please refund to card 6222 0000 1111 2222' }))
      const [second] = await t.worker.runUntilIdle()
      expect(second).toMatchObject({ ok: true, outcome: { status: 'created' } })
      expect(second?.ok ? second.outcome.ticketNumber : aliceTicket).not.toBe(aliceTicket)
    })

    it('calls a body that is not a multipart form what it is, not "too large"', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/feedback?lang=en', headers: { 'content-type': 'multipart/form-data' }, payload: 'name=Li' })
      expect(res.statusCode).toBe(400)
      expect(res.body).toContain('The form could not be verified. Please reload the page and try again.')
      expect(res.body).not.toContain('The upload is too large')
      expect(await rawCount()).toBe(0)
    })

    it('keeps what the visitor typed and explains each problem', async () => {
      const token = await formToken()
      later(10_000)
      const res = await submit(fields(token, { email: 'not-an-address', subject: '' }))
      expect(res.statusCode).toBe(400)
      expect(res.body).toContain('Enter an email address such as name@example.com.')
      expect(res.body).toContain('Subject is required.')
      expect(res.body).toContain('value="not-an-address"')
      expect(res.body).toContain('Transaction T20261120-88 for 25.00 CNY')
      expect(await rawCount()).toBe(0)
    })

    it.each([
      ['a program disguised as a PDF', { ...screenshot, filename: 'invoice.pdf', contentType: 'application/pdf', content: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]) }, 'programs, scripts, web pages, archives'],
      ['an HTML page', { ...screenshot, filename: 'page.html', contentType: 'text/html', content: Buffer.from('<html><script>1</script></html>') }, 'programs, scripts, web pages, archives'],
      ['an unknown binary', { ...screenshot, filename: 'blob.dat', contentType: 'application/octet-stream', content: Buffer.from([0, 1, 2, 0, 0, 3]) }, 'is not a type we accept'],
      ['a file over the size limit', { ...screenshot, content: Buffer.concat([png, Buffer.alloc(70 * 1024)]) }, 'is larger than 1 MB'],
    ])('refuses %s with a clear message and stores nothing', async (_name, file, expected) => {
      const token = await formToken()
      later(10_000)
      const res = await submit(fields(token), [file])
      expect(res.statusCode).toBe(400)
      expect(res.body).toContain(expected)
      expect(res.body).toContain('value="Li Lei"')
      expect(await rawCount()).toBe(0)
    })

    it('refuses more files than allowed', async () => {
      const token = await formToken()
      later(10_000)
      const res = await submit(fields(token), Array.from({ length: 7 }, () => screenshot))
      expect(res.statusCode).toBe(413)
      expect(res.body).toContain('Attach at most 5 files.')
      expect(res.body).toContain('value="Li Lei"')
      expect(await rawCount()).toBe(0)
    })

    it.each([
      ['a filled honeypot', (tok: string) => fields(tok, { website: 'http://spam.example' }), 10_000, 'could not be verified'],
      ['a forged form token', (tok: string) => fields(tok.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))), 10_000, 'could not be verified'],
      ['a submission one second after the page loaded', (tok: string) => fields(tok), 1000, 'quicker than a person can type'],
      ['a form left open for a day', (tok: string) => fields(tok), 24 * 3600_000, 'open for too long'],
    ])('rejects %s and stores nothing', async (_name, build, delayMs, expected) => {
      const token = await formToken()
      later(delayMs)
      const res = await submit(build(token))
      expect(res.statusCode).toBe(400)
      expect(res.body).toContain(expected)
      expect(await rawCount()).toBe(0)
    })

    it('stops a flood from one address after the per-IP limit', async () => {
      const statuses: number[] = []
      for (let i = 0; i < 7; i++) {
        const token = await formToken()
        later(10_000)
        statuses.push((await submit(fields(token))).statusCode)
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429])
      expect(await rawCount()).toBe(5)
    })
  })

  describe(`${dialect}: feedback form with proof of work`, () => {
    let t: PublicTestApp
    beforeEach(async () => {
      t = await createPublicTestApp(dialect, { now: () => clock, powBits: 8, ticketWaitMs: 0 })
    })
    afterEach(async () => {
      await t?.close()
    })

    async function send(withWork: boolean): Promise<number> {
      const page = await t.app.inject({ url: '/feedback?lang=en' })
      const token = hiddenInput(page.body, 'form_token')
      later(10_000)
      const body = multipartBody({
        form_token: token,
        pow_nonce: withWork ? solveProofOfWork(token, 8) : '',
        name: 'Li Lei',
        email: 'li.lei@example.com',
        subject: 'Hello',
        message: 'A question about my account.',
      })
      return (await t.app.inject({ method: 'POST', url: '/feedback?lang=en', payload: body.payload, headers: body.headers })).statusCode
    }

    it('allows fewer submissions from a client that skips the proof of work (no script)', async () => {
      expect([await send(false), await send(false), await send(false)]).toEqual([201, 201, 429])
      expect(await send(true)).toBe(201)
    })
  })
}
