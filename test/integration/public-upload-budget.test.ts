import { request as httpRequest, type ClientRequest, type ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createPublicTestApp, type PublicTestApp } from './public-test-app.ts'

/** A POST over a real socket: status, Retry-After and body once answered. */
function post(base: string, path: string, body: Buffer, contentLength = body.length): { req: ClientRequest; answer: Promise<{ status: number; retryAfter: string | undefined; body: string }> } {
  const req = httpRequest(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': String(contentLength) } })
  const answer = new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = ''
      res.on('data', (d: Buffer) => (text += d.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body: text }))
    })
    req.on('error', reject)
  })
  req.write(body)
  return { req, answer }
}

describe("strangers' uploads share one memory budget", () => {
  let t: PublicTestApp | undefined
  afterEach(async () => {
    await t?.close()
  })

  it('answers 503 with Retry-After while slow uploads hold the budget, and takes uploads again once they end', async () => {
    t = await createPublicTestApp('sqlite', { uploadBudgetBytes: 100_000 })
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' })
    // A visitor on a slow line: 80 kB announced, 1 kB sent so far. Its budget is taken by the onRequest hook, which
    // has run once the server has seen the request and a turn of the event loop has passed.
    const slowResponse = new Promise<ServerResponse>((resolve) => t?.app.server.once('request', (_req, res: ServerResponse) => setImmediate(() => resolve(res))))
    const slow = post(base, '/feedback', Buffer.alloc(1000, 0x61), 80_000)
    slow.answer.catch(() => {})
    const slowOnServer = await slowResponse

    const refused = post(base, '/feedback', Buffer.alloc(50_000, 0x61))
    refused.req.end()
    expect(await refused.answer).toEqual({
      status: 503,
      retryAfter: '30',
      body: JSON.stringify({ error: { code: 'SERVER_BUSY', message: 'too many uploads at once; please try again in a minute' } }),
    })
    // Pages and bodiless requests are not uploads.
    expect((await t.app.inject({ url: '/feedback?lang=en' })).statusCode).toBe(200)

    // The budget is given back when the server's side of the slow request closes (its listener runs before ours).
    const slowClosed = new Promise((resolve) => slowOnServer.once('close', resolve))
    slow.req.destroy()
    await slowClosed
    const accepted = post(base, '/feedback', Buffer.alloc(50_000, 0x61))
    accepted.req.end()
    // Read by the form handler this time: a body that is no form gets the form page's 400, not a 503.
    const answered = await accepted.answer
    expect(answered.status).toBe(400)
    expect(answered.body).toContain('<!doctype html>')
  })
})
