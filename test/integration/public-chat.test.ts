import { createRequire } from 'node:module'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAgent, createApiToken } from '../../src/agents/agent.service.ts'
import { PostgresChatBus, type ChatEvent } from '../../src/chat/chat-bus.ts'
import { silentLogger } from '../../src/logger.ts'
import { openDatabase } from '../../src/store/database.ts'
import { getTicketWithThread } from '../../src/tickets/ticket.service.ts'
import { createTestSchema, dropTestSchema, testDialects } from '../helpers/test-database.ts'
import { createPublicTestApp, type PublicTestApp } from './public-test-app.ts'

/** The bit of the ws client these tests use (ws ships no type declarations here). */
interface ClientSocket {
  on(event: 'open', listener: () => void): void
  on(event: 'close', listener: (code: number, reason: Buffer) => void): void
  on(event: 'message', listener: (data: Buffer) => void): void
  on(event: 'error' | 'unexpected-response', listener: (...args: unknown[]) => void): void
  send(data: string): void
  close(): void
}
const require = createRequire(import.meta.url)
const WebSocketClient: new (url: string, options?: { headers?: Record<string, string>; autoPong?: boolean }) => ClientSocket = require('ws')

/** The close code and reason the server ends the socket with, and how long that took. */
function closed(socket: ClientSocket): Promise<{ code: number; reason: string; afterMs: number }> {
  const since = Date.now()
  return new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString(), afterMs: Date.now() - since })))
}

/** A connected socket plus a queue of the JSON messages it received. */
async function connect(url: string, headers: Record<string, string> = {}, autoPong = true) {
  const socket = new WebSocketClient(url, { headers, autoPong })
  const inbox: Array<Record<string, unknown>> = []
  const waiters: Array<() => void> = []
  socket.on('message', (data) => {
    inbox.push(JSON.parse(data.toString()) as Record<string, unknown>)
    for (const w of waiters.splice(0)) w()
  })
  await new Promise<void>((resolve, reject) => {
    socket.on('open', () => resolve())
    socket.on('error', (err) => reject(err))
    socket.on('unexpected-response', (req, res) => {
      ;(req as { destroy(): void }).destroy()
      reject(new Error(`upgrade refused: ${(res as { statusCode?: number }).statusCode}`))
    })
  })
  async function next(type: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 100; i++) {
      const at = inbox.findIndex((m) => m.type === type)
      if (at >= 0) return inbox.splice(at, 1)[0] ?? {}
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
    throw new Error(`no ${type} message; got ${JSON.stringify(inbox)}`)
  }
  return { socket, next, send: (m: object) => socket.send(JSON.stringify(m)) }
}

for (const dialect of testDialects()) {
  describe(`${dialect}: live chat`, () => {
    let t: PublicTestApp
    let base: string
    let token: string
    beforeEach(async () => {
      t = await createPublicTestApp(dialect, {}, {}, true)
      const address = await t.app.listen({ port: 0, host: '127.0.0.1' })
      base = address.replace(/^http/, 'ws')
      const agent = await createAgent(t.store.db, { email: 'mei@okpay.com', password: 'correct horse battery staple', role: 'agent', displayName: 'Mei' }, new Date())
      token = (await createApiToken(t.store.db, agent.id, 'chat', new Date())).token
    })
    afterEach(async () => {
      await t?.close()
    })

    it('tells the customer when no agent is online, and still opens a chat ticket', async () => {
      const customer = await connect(`${base}/api/v1/public/chat`)
      customer.send({ type: 'start', name: 'Zhao Lei', email: 'zhao@example.com', text: '我的退款还没到账', lang: 'zh-CN' })
      const started = await customer.next('started')
      expect(started).toMatchObject({ agentsOnline: false, ticketNumber: expect.stringMatching(/^OKP-\d+$/) })
      const row = await t.store.db.selectFrom('chat_conversations').selectAll().executeTakeFirstOrThrow()
      const thread = await getTicketWithThread(t.store.db, row.ticket_id)
      expect(thread.ticket.channel).toBe('chat')
      expect(thread.messages.map((m) => m.text_body)).toEqual(['我的退款还没到账'])
      customer.socket.close()
    })

    it('relays lines both ways between customer and agent and keeps the redacted transcript on the ticket', async () => {
      const agent = await connect(`${base}/api/v1/chat/agent`, { authorization: `Bearer ${token}` })
      expect(await agent.next('conversations')).toMatchObject({ items: [] })
      const customer = await connect(`${base}/api/v1/public/chat`)
      customer.send({ type: 'start', name: 'Amy', email: 'amy@example.com', text: 'Card payment failed', lang: 'en' })
      const started = await customer.next('started')
      expect(started.agentsOnline).toBe(true)
      const seen = await agent.next('started')
      expect(seen).toMatchObject({ conversationId: started.conversationId, text: 'Card payment failed' })

      agent.send({ type: 'message', conversationId: started.conversationId, text: 'Hello Amy, which card did you use?' })
      expect(await customer.next('message')).toMatchObject({ from: 'agent', agentName: 'Mei', text: 'Hello Amy, which card did you use?' })
      // Agents see every agent's lines too (several may watch one chat); the first is their own echo.
      expect(await agent.next('message')).toMatchObject({ from: 'agent' })
      customer.send({ type: 'message', text: 'My card 4111 1111 1111 1111 was declined' })
      const relayed = await agent.next('message')
      expect(relayed.from).toBe('customer')
      expect(String(relayed.text)).not.toContain('4111 1111 1111 1111')
      expect(String(relayed.text)).toContain('1111')

      agent.send({ type: 'end', conversationId: started.conversationId })
      await customer.next('ended')
      const row = await t.store.db.selectFrom('chat_conversations').selectAll().executeTakeFirstOrThrow()
      expect(row.status).toBe('closed')
      // Customer lines reach the ticket through the pipeline, a moment after they were relayed.
      let thread = await getTicketWithThread(t.store.db, row.ticket_id)
      for (let i = 0; i < 50 && thread.messages.length < 3; i++) {
        await new Promise((r) => setTimeout(r, 100))
        thread = await getTicketWithThread(t.store.db, row.ticket_id)
      }
      expect(thread.ticket.channel).toBe('chat')
      expect(thread.messages.map((m) => m.direction)).toEqual(['inbound', 'outbound', 'inbound'])
      expect(thread.messages[2]?.text_body).not.toContain('4111 1111 1111 1111')
      customer.socket.close()
      agent.socket.close()
    })

    it('shows a line just sent in the transcript of a socket that resumes the chat at once (a reloaded page)', async () => {
      const agent = await connect(`${base}/api/v1/chat/agent`, { authorization: `Bearer ${token}` })
      const first = await connect(`${base}/api/v1/public/chat`)
      first.send({ type: 'start', name: 'Wang Fang', email: 'wang.fang@customer.example', text: 'My card was charged twice', lang: 'en' })
      const started = await first.next('started')
      await agent.next('started')
      first.send({ type: 'message', text: 'Order 20261126-7 if that helps' })
      // Relayed to the agent: the line is spooled, and reaches the ticket when the worker has stored it.
      await agent.next('message')
      const second = await connect(`${base}/api/v1/public/chat`)
      second.send({ type: 'resume', token: started.resumeToken })
      const resumed = await second.next('started')
      expect((resumed.transcript as Array<{ from: string; text: string }>).map((l) => [l.from, l.text])).toEqual([
        ['customer', 'My card was charged twice'],
        ['customer', 'Order 20261126-7 if that helps'],
      ])
      for (const c of [first, second, agent]) c.socket.close()
    })

    it('refuses the agent socket without authentication, and bad customer input with a clear error', async () => {
      await expect(connect(`${base}/api/v1/chat/agent`)).rejects.toThrow('upgrade refused: 401')
      // Cross-site WebSocket hijacking: another site's page cannot ride on an agent's credentials.
      await expect(connect(`${base}/api/v1/chat/agent`, { authorization: `Bearer ${token}`, origin: 'https://evil.example' })).rejects.toThrow('upgrade refused: 403')
      const customer = await connect(`${base}/api/v1/public/chat`)
      customer.send({ type: 'message', text: 'hi' })
      expect(await customer.next('error')).toMatchObject({ code: 'INVALID_INPUT', message: 'start or resume a chat first' })
      customer.send({ type: 'start', name: 'X', email: 'not-an-address', text: 'hi' })
      expect(await customer.next('error')).toMatchObject({ code: 'INVALID_INPUT' })
      customer.socket.close()
      expect(await t.store.db.selectFrom('chat_conversations').selectAll().execute()).toEqual([])
    })

    it('counts customer lines per conversation, whatever the number of sockets, and refuses a flood of frames', async () => {
      const first = await connect(`${base}/api/v1/public/chat`)
      first.send({ type: 'start', name: 'Amy', email: 'amy@example.com', text: 'Card payment failed', lang: 'en' })
      const started = await first.next('started')
      const second = await connect(`${base}/api/v1/public/chat`)
      second.send({ type: 'resume', token: started.resumeToken })
      expect(await second.next('started')).toMatchObject({ conversationId: started.conversationId })
      // 30 lines a minute: 15 on each socket use the whole budget, the 31st is refused on either. A socket handles
      // its frames in order, so the answer to an empty line says its 15 lines before it were counted.
      for (let i = 1; i <= 15; i++) first.send({ type: 'message', text: `line ${i}` })
      first.send({ type: 'message', text: ' ' })
      expect(await first.next('error')).toMatchObject({ code: 'INVALID_INPUT', message: 'a message must be 1 to 2000 characters' })
      for (let i = 1; i <= 15; i++) second.send({ type: 'message', text: `line ${i}` })
      second.send({ type: 'message', text: 'one too many' })
      expect(await second.next('error')).toMatchObject({ code: 'RATE_LIMITED', message: 'too many messages; please slow down' })
      first.send({ type: 'message', text: 'one too many' })
      expect(await first.next('error')).toMatchObject({ code: 'RATE_LIMITED', message: 'too many messages; please slow down' })

      // 100 frames in one burst: at most 16 wait for the database, the rest are answered at once.
      const flood = await connect(`${base}/api/v1/public/chat`)
      // One TCP write, so the server reads the burst at once (frame by frame, a busy machine's database could keep up).
      const tcp = (flood.socket as unknown as { _socket: import('node:net').Socket })._socket
      tcp.cork()
      for (let i = 0; i < 100; i++) flood.send({ type: 'resume', token: 'x'.repeat(43) })
      tcp.uncork()
      expect(await flood.next('error')).toMatchObject({ code: 'RATE_LIMITED', message: 'too many messages at once; please slow down' })
      for (const c of [first, second, flood]) c.socket.close()
    })

    it('lists open conversations and takes agent lines over REST', async () => {
      const customer = await connect(`${base}/api/v1/public/chat`)
      customer.send({ type: 'start', name: 'Amy', email: 'amy@example.com', text: 'Hello?', lang: 'en' })
      const started = await customer.next('started')
      const auth = { authorization: `Bearer ${token}` }
      const list = await t.app.inject({ url: '/api/v1/chat/conversations', headers: auth })
      expect(list.json().conversations).toHaveLength(1)
      const blank = await t.app.inject({ method: 'POST', url: `/api/v1/chat/conversations/${String(started.conversationId)}/messages`, headers: auth, payload: { text: '   ' } })
      expect(blank.statusCode).toBe(400)
      expect(blank.json().error).toEqual({ code: 'INVALID_INPUT', message: 'text is empty: write something to send' })
      const sent = await t.app.inject({ method: 'POST', url: `/api/v1/chat/conversations/${String(started.conversationId)}/messages`, headers: auth, payload: { text: 'Hi, how can I help?' } })
      expect(sent.statusCode).toBe(201)
      expect(await customer.next('message')).toMatchObject({ text: 'Hi, how can I help?' })
      customer.socket.close()
    })
  })
}

describe('chat sockets a stranger opens are bounded', () => {
  let t: PublicTestApp | undefined
  afterEach(async () => {
    await t?.close()
    t = undefined
  })
  const open = async (options: Parameters<typeof createPublicTestApp>[1], env: Record<string, string> = {}) => {
    t = await createPublicTestApp('sqlite', options, env, true)
    return `${(await t.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws')}/api/v1/public/chat`
  }

  it('closes a customer socket that neither starts nor resumes a chat in time; one that started stays', async () => {
    const url = await open({ chatIdentifyMs: 300 })
    const idle = await connect(url)
    const chatting = await connect(url)
    chatting.send({ type: 'start', name: 'Amy', email: 'amy@example.com', text: 'Card payment failed', lang: 'en' })
    await chatting.next('started')
    let chattingClosed = false
    chatting.socket.on('close', () => (chattingClosed = true))
    expect(await closed(idle.socket)).toMatchObject({ code: 1008, reason: 'start or resume a chat within 1 s' })
    await new Promise((r) => setTimeout(r, 200))
    expect(chattingClosed).toBe(false)
    chatting.socket.close()
  })

  it('lets a start that is still being stored when the time is up finish, and keeps its socket', async () => {
    // 20 ms: a start (spool, commit, the worker storing its ticket) takes longer, so the time runs out during it.
    const url = await open({ chatIdentifyMs: 20 })
    const chatting = await connect(url)
    let chattingClosed = false
    chatting.socket.on('close', () => (chattingClosed = true))
    chatting.send({ type: 'start', name: 'Amy', email: 'amy@example.com', text: 'Card payment failed', lang: 'en' })
    expect(await chatting.next('started')).toMatchObject({ ticketNumber: 'OKP-1001' })
    await new Promise((r) => setTimeout(r, 100))
    expect(chattingClosed).toBe(false)
    chatting.socket.close()
  })

  it('closes a socket whose only start was refused, once the time is up', async () => {
    const url = await open({ chatIdentifyMs: 300 })
    const refused = await connect(url)
    refused.send({ type: 'start', name: '', email: 'not an address', text: '', lang: 'en' })
    expect(await refused.next('error')).toMatchObject({ code: 'INVALID_INPUT' })
    expect(await closed(refused.socket)).toMatchObject({ code: 1008, reason: 'start or resume a chat within 1 s' })
  })

  it('refuses a customer socket beyond the per-address limit, and takes one again once another closes', async () => {
    const url = await open({ chatSocketsPerAddress: 2 })
    const first = await connect(url)
    await connect(url)
    const third = await connect(url)
    expect(await closed(third.socket)).toMatchObject({ code: 1013, reason: 'too many chat connections from this address; close one and try again' })
    const firstClosed = closed(first.socket)
    first.socket.close()
    await firstClosed
    // The server counts the close once its side of the connection has ended, a moment after ours: until then a new
    // socket is still refused (1013, at once). Try again until one is taken, for at most a second.
    for (let attempt = 1; ; attempt++) {
      const again = await connect(url)
      again.send({ type: 'start', name: 'Amy', email: 'amy@example.com', text: 'Hello again', lang: 'en' })
      const outcome = await Promise.race([again.next('started'), closed(again.socket)])
      if ('agentsOnline' in outcome) {
        expect(outcome).toMatchObject({ agentsOnline: false })
        break
      }
      expect(outcome).toMatchObject({ code: 1013 })
      if (attempt === 20) throw new Error('a socket was still refused a second after another one closed')
      await new Promise((r) => setTimeout(r, 50))
    }
  })

  it('behind a trusted load balancer, counts sockets per client address (X-Forwarded-For), not per balancer', async () => {
    const url = await open({ chatSocketsPerAddress: 1 }, { MAILDESK_TRUST_PROXY: '127.0.0.1' })
    const amy = await connect(url, { 'x-forwarded-for': '198.51.100.7' })
    const bob = await connect(url, { 'x-forwarded-for': '203.0.113.9' })
    bob.send({ type: 'start', name: 'Bob', email: 'bob@example.com', text: 'Hello', lang: 'en' })
    expect(await bob.next('started')).toMatchObject({ agentsOnline: false })
    const amyAgain = await connect(url, { 'x-forwarded-for': '198.51.100.7' })
    expect(await closed(amyAgain.socket)).toMatchObject({ code: 1013 })
    amy.socket.close()
    bob.socket.close()
  })

  it('trusting no proxy (the default), ignores X-Forwarded-For: a forged header does not dodge the limit', async () => {
    const url = await open({ chatSocketsPerAddress: 1 })
    const amy = await connect(url, { 'x-forwarded-for': '198.51.100.7' })
    const forged = await connect(url, { 'x-forwarded-for': '203.0.113.9' })
    expect(await closed(forged.socket)).toMatchObject({ code: 1013 })
    amy.socket.close()
  })

  it('terminates a socket whose peer stops answering pings, and keeps one that answers', async () => {
    const url = await open({ chatPingMs: 100 })
    const silent = await connect(url, {}, false)
    const alive = await connect(url)
    let aliveClosed = false
    alive.socket.on('close', () => (aliveClosed = true))
    // No close frame: the server drops the connection (1006 on this side) after one unanswered ping, 100-200 ms.
    const end = await closed(silent.socket)
    expect(end.code).toBe(1006)
    expect(end.afterMs).toBeLessThan(1000)
    await new Promise((r) => setTimeout(r, 300))
    expect(aliveClosed).toBe(false)
    alive.socket.close()
  })
})

describe.runIf(process.env.TEST_POSTGRES_URL)('postgres: chat bus across processes', () => {
  it('relays a chat between a customer on one server and an agent on another sharing the database', async () => {
    const { schema, url } = await createTestSchema()
    const storeA = await openDatabase({ databaseUrl: url, pgSchema: schema, maxConnections: 4 })
    const storeB = await openDatabase({ databaseUrl: url, pgSchema: schema, maxConnections: 4 })
    const env = { DATABASE_URL: url }
    const customerSide = await createPublicTestApp('postgres', {}, env, true, storeA)
    const agentSide = await createPublicTestApp('postgres', {}, env, false, storeB)
    try {
      const a = (await customerSide.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws')
      const b = (await agentSide.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws')
      const agentRow = await createAgent(storeB.db, { email: 'mei@okpay.com', password: 'correct horse battery staple', role: 'agent', displayName: 'Mei' }, new Date())
      const apiToken = (await createApiToken(storeB.db, agentRow.id, 'chat', new Date())).token
      const agent = await connect(`${b}/api/v1/chat/agent`, { authorization: `Bearer ${apiToken}` })
      await agent.next('conversations')
      const customer = await connect(`${a}/api/v1/public/chat`)
      customer.send({ type: 'start', name: 'Amy', email: 'amy@example.com', text: 'Hello from server A', lang: 'en' })
      const started = await customer.next('started')
      // Presence lives in the database: server A knows an agent is connected to server B.
      expect(started.agentsOnline).toBe(true)
      expect(await agent.next('started')).toMatchObject({ conversationId: started.conversationId, text: 'Hello from server A' })
      agent.send({ type: 'message', conversationId: started.conversationId, text: 'Hello from server B' })
      expect(await customer.next('message')).toMatchObject({ from: 'agent', text: 'Hello from server B' })
      customer.socket.close()
      agent.socket.close()
    } finally {
      await customerSide.close()
      await agentSide.close()
      await storeA.destroy()
      await storeB.destroy()
      await dropTestSchema(schema)
    }
  })

  it('delivers an event published by one process to a listener in another', async () => {
    const { schema, url } = await createTestSchema()
    const storeA = await openDatabase({ databaseUrl: url, pgSchema: schema, maxConnections: 2 })
    const storeB = await openDatabase({ databaseUrl: url, pgSchema: schema, maxConnections: 2 })
    const busA = await PostgresChatBus.open(storeA, `${url}`, silentLogger)
    const busB = await PostgresChatBus.open(storeB, `${url}`, silentLogger)
    try {
      const received = new Promise<ChatEvent>((resolve) => busB.subscribe(resolve))
      const event: ChatEvent = { kind: 'message', conversationId: 7, from: 'agent', agentName: 'Mei', text: '您好', at: '2026-11-25T10:00:00.000Z' }
      await busA.publish(event)
      expect(await received).toEqual(event)
    } finally {
      await busA.close()
      await busB.close()
      await storeA.destroy()
      await storeB.destroy()
      await dropTestSchema(schema)
    }
  })
})
