import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Language } from '../brand.ts'
import { NotFoundError, InvalidInputError } from '../errors.ts'
import { waitForTicketId } from '../public/feedback/feedback.service.ts'
import type { ResolvedPublicOptions } from '../public/public-options.ts'
import { RateLimiter } from '../public/rate-limiter.ts'
import type { ChatConversationRow } from '../public/public.tables.ts'
import { formatTicketNumber } from '../tickets/ticket-number.ts'
import type { AppDeps } from '../web/app.ts'
import { createChatBus, type ChatBus, type ChatEvent } from './chat-bus.ts'
import { keepAlive, SocketsPerAddress, type LiveSocket } from './socket-liveness.ts'
import {
  addAgentChatLine,
  addCustomerChatLine,
  countAgentsOnline,
  endChatConversation,
  findConversationById,
  findConversationByResumeToken,
  listChatLines,
  listOpenConversations,
  MAX_CHAT_MESSAGE_CHARS,
  refreshAgentPresence,
  removeAgentPresence,
  startChatConversation,
  type ChatCustomer,
} from './chat.service.ts'

const EMAIL = /^[^@\s<>()[\]\\,;:"]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+$/i
const HEARTBEAT_MS = 20_000
/** Frames a customer socket may have waiting behind the one being handled; more are refused, not queued. */
const MAX_PENDING_FRAMES = 16
/** How long a resuming socket waits for the conversation's lines still on their way to the ticket. */
const LINE_ON_TICKET_WAIT_MS = 3000

type Incoming = Record<string, unknown>

/** The part of a ws WebSocket the chat uses (ws ships no type declarations here). */
interface ChatSocket extends LiveSocket {
  readonly readyState: number
  readonly OPEN: number
  send(data: string): void
  close(code: number, reason: string): void
  on(event: 'message', listener: (data: unknown) => void): unknown
  on(event: 'close' | 'pong', listener: () => void): unknown
}

function parse(data: unknown): Incoming | undefined {
  try {
    const value: unknown = JSON.parse(String(data))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Incoming) : undefined
  } catch {
    return undefined
  }
}

const str = (m: Incoming, key: string): string => (typeof m[key] === 'string' ? (m[key] as string) : '')

function send(socket: ChatSocket, message: object): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
}

/**
 * Live chat. Customers: WebSocket /api/v1/public/chat. Agents (authenticated by the /api/v1 guard):
 * WebSocket /api/v1/chat/agent and REST under /api/v1/chat/ (protocol in docs/live-chat.md).
 */
export function chatRoutes(deps: AppDeps, options: ResolvedPublicOptions) {
  const starts = new RateLimiter(5, options.rateWindowMs)
  // 30 lines a minute per conversation, shared by every socket that resumed it (a budget per socket was
  // multiplied by opening more sockets with the same resume token).
  const lines = new RateLimiter(30, 60_000)
  const customerSockets = new SocketsPerAddress(options.chatSocketsPerAddress)
  // Customer lines spooled in the last LINE_ON_TICKET_WAIT_MS, per conversation: the worker puts them on the ticket
  // a moment later. A socket that resumes the chat reads its transcript, which is the ticket's messages, once these
  // are there (or their time is up): a page reloaded right after its customer sent a line resumed before the line
  // was stored, and its transcript lacked it. Only a resume looks for them in the database. Within one process;
  // another process's resume reads what is stored.
  const recentLines = new Map<number, Array<{ rawMessageId: Promise<number>; spooledAt: number }>>()
  const noteSpooledLine = (conversationId: number, spooling: Promise<{ rawMessageId: number }>): void => {
    const line = { rawMessageId: spooling.then((l) => l.rawMessageId), spooledAt: Date.now() }
    // A line that could not be spooled was refused to its sender; there is nothing to wait for.
    line.rawMessageId.catch(() => {})
    const lines = recentLines.get(conversationId) ?? []
    lines.push(line)
    recentLines.set(conversationId, lines)
    setTimeout(() => {
      lines.splice(lines.indexOf(line), 1)
      if (lines.length === 0 && recentLines.get(conversationId) === lines) recentLines.delete(conversationId)
    }, LINE_ON_TICKET_WAIT_MS).unref()
  }
  const recentLinesOnTicket = (conversationId: number): Promise<unknown> =>
    Promise.all(
      (recentLines.get(conversationId) ?? []).map((line) =>
        line.rawMessageId
          .then((id) => waitForTicketId(deps.store.db, id, Math.max(0, line.spooledAt + LINE_ON_TICKET_WAIT_MS - Date.now())))
          .catch(() => undefined),
      ),
    )
  const prefix = deps.config.brand.ticketPrefix
  // The first line must become a ticket before the chat can go on; the local worker is woken at once.
  const pipeline = { spool: deps.spool, onSpooled: deps.onSpooled, waitMs: 10_000 }

  return async function register(app: FastifyInstance): Promise<void> {
    if (!app.hasDecorator('websocketServer')) {
      const websocket = (await import('@fastify/websocket')).default
      await app.register(websocket, { options: { maxPayload: 16 * 1024 } }) // 16 KiB per frame
    }
    // A refused upgrade (401 from the auth guard, 404) is answered on the raw socket, which nobody then
    // closes: a client that never hangs up would keep it, and the server's shutdown would wait for it.
    app.addHook('onResponse', async (request, reply) => {
      if (request.headers.upgrade?.toLowerCase() === 'websocket' && reply.statusCode >= 400) request.raw.socket.end()
    })
    const bus: ChatBus = options.chatBus ?? (await createChatBus(deps.store, deps.config.databaseUrl, deps.log))
    app.addHook('onClose', async () => {
      if (!options.chatBus) await bus.close()
    })

    const presentConversation = (c: ChatConversationRow) => ({
      conversationId: c.id,
      ticketId: c.ticket_id,
      ticketNumber: formatTicketNumber(prefix, c.ticket_id),
      language: c.language,
      startedAt: c.created_at,
      lastActivityAt: c.last_activity_at,
    })

    app.get('/api/v1/public/chat', { websocket: true, config: { public: true }, schema: { hide: true } }, (socket: ChatSocket, request) => {
      // A stranger's sockets are bounded: a few per address, alive (pinged), and only while they chat.
      if (!customerSockets.take(request.ip)) return socket.close(1013, 'too many chat connections from this address; close one and try again')
      keepAlive(socket, options.chatPingMs)
      let conversation: ChatConversationRow | undefined
      let customer: ChatCustomer | undefined
      let unsubscribe: (() => void) | undefined
      let queue = Promise.resolve()
      let pending = 0
      // A socket must start or resume a chat in time. One whose start or resume is being handled when the time is up
      // (a start waits for its ticket, up to 10 s) is judged when that ends, not cut off in the middle of it.
      let identifying = false
      let identifyExpired = false
      const closeUnidentified = () => socket.close(1008, `start or resume a chat within ${Math.max(1, Math.round(options.chatIdentifyMs / 1000))} s`)
      const identify = setTimeout(() => {
        identifyExpired = true
        if (!conversation && !identifying) closeUnidentified()
      }, options.chatIdentifyMs)
      identify.unref()

      const follow = (c: ChatConversationRow) => {
        unsubscribe?.()
        unsubscribe = bus.subscribe((event) => {
          if (event.conversationId !== c.id) return
          if (event.kind === 'message' && event.from === 'agent') send(socket, { type: 'message', from: 'agent', agentName: event.agentName, text: event.text, at: event.at })
          if (event.kind === 'ended') send(socket, { type: 'ended' })
        })
      }

      const handle = async (m: Incoming) => {
        const type = str(m, 'type')
        if ((type !== 'start' && type !== 'resume') || conversation) return handleFrame(m, type)
        identifying = true
        try {
          return await handleFrame(m, type)
        } finally {
          identifying = false
          if (identifyExpired && !conversation) closeUnidentified()
        }
      }

      const handleFrame = async (m: Incoming, type: string) => {
        const now = options.now()
        if (type === 'start' && !conversation) {
          const name = str(m, 'name').trim()
          const email = str(m, 'email').trim()
          const text = str(m, 'text').trim()
          if (!name || name.length > 100 || !EMAIL.test(email) || email.length > 254 || !text || text.length > MAX_CHAT_MESSAGE_CHARS) {
            return send(socket, { type: 'error', code: 'INVALID_INPUT', message: 'name, a valid email and a message of at most 2000 characters are required' })
          }
          if (!starts.take(request.ip, now)) return send(socket, { type: 'error', code: 'RATE_LIMITED', message: 'too many chats from this address; please write to us by email' })
          const language: Language = str(m, 'lang') === 'en' ? 'en' : 'zh-CN'
          const who: ChatCustomer = { name, email, language }
          const started = await startChatConversation(deps.store.db, pipeline, deps.config.brand, { customer: who, text, remoteAddress: request.ip, now })
          if (!started) {
            return send(socket, { type: 'error', code: 'STORAGE_UNAVAILABLE', message: 'your message is saved and we will answer by email; the chat could not be opened just now' })
          }
          conversation = started.conversation
          customer = who
          follow(conversation)
          const agentsOnline = (await countAgentsOnline(deps.store.db, now)) > 0
          await bus.publish({ kind: 'started', conversationId: conversation.id, ticketNumber: started.ticketNumber, from: 'customer', text: started.firstLine.text, at: started.firstLine.at })
          request.log.info({ conversationId: conversation.id, ticketId: conversation.ticket_id, agentsOnline }, 'chat started')
          return send(socket, { type: 'started', conversationId: conversation.id, ticketNumber: started.ticketNumber, agentsOnline, resumeToken: started.resumeToken })
        }
        if (type === 'resume' && !conversation) {
          const found = await findConversationByResumeToken(deps.store.db, str(m, 'token'))
          if (!found) return send(socket, { type: 'ended' })
          const owner = await deps.store.db
            .selectFrom('tickets')
            .innerJoin('customers', 'customers.id', 'tickets.customer_id')
            .select(['customers.email', 'customers.display_name'])
            .where('tickets.id', '=', found.ticket_id)
            .executeTakeFirst()
          if (!owner) return send(socket, { type: 'ended' })
          conversation = found
          customer = { name: owner.display_name ?? '', email: owner.email, language: found.language === 'en' ? 'en' : 'zh-CN' }
          follow(found)
          await recentLinesOnTicket(found.id)
          const transcript = await listChatLines(deps.store.db, found)
          const agentsOnline = (await countAgentsOnline(deps.store.db, now)) > 0
          return send(socket, { type: 'started', conversationId: found.id, ticketNumber: formatTicketNumber(prefix, found.ticket_id), agentsOnline, resumeToken: str(m, 'token'), transcript })
        }
        if (!conversation || !customer) return send(socket, { type: 'error', code: 'INVALID_INPUT', message: 'start or resume a chat first' })
        if (type === 'message') {
          const text = str(m, 'text').trim()
          if (!text || text.length > MAX_CHAT_MESSAGE_CHARS) return send(socket, { type: 'error', code: 'INVALID_INPUT', message: 'a message must be 1 to 2000 characters' })
          if (!lines.take(String(conversation.id), now)) return send(socket, { type: 'error', code: 'RATE_LIMITED', message: 'too many messages; please slow down' })
          const spooling = addCustomerChatLine(deps.store.db, pipeline, deps.config.brand, conversation, { customer, text, remoteAddress: request.ip, now })
          noteSpooledLine(conversation.id, spooling)
          const line = await spooling
          await bus.publish({ kind: 'message', conversationId: conversation.id, from: 'customer', text: line.text, at: line.at })
          return
        }
        if (type === 'end') {
          await endChatConversation(deps.store.db, conversation, 'customer', now)
          await bus.publish({ kind: 'ended', conversationId: conversation.id, at: now.toISOString() })
          return
        }
        send(socket, { type: 'error', code: 'INVALID_INPUT', message: 'type must be start, resume, message or end' })
      }

      socket.on('message', (data: unknown) => {
        // Each frame waits for the one before (database work): a client that sends faster than that would
        // otherwise grow this chain, and the memory it holds, without bound.
        if (pending >= MAX_PENDING_FRAMES) return send(socket, { type: 'error', code: 'RATE_LIMITED', message: 'too many messages at once; please slow down' })
        const m = parse(data)
        if (!m) return send(socket, { type: 'error', code: 'INVALID_INPUT', message: 'send JSON objects' })
        pending++
        queue = queue
          .then(() => handle(m))
          .catch((err: unknown) => {
            request.log.error({ err }, 'chat message failed')
            send(socket, { type: 'error', code: 'INTERNAL', message: 'the message could not be saved; please try again' })
          })
          .finally(() => {
            pending--
          })
      })
      socket.on('close', () => {
        clearTimeout(identify)
        customerSockets.release(request.ip)
        unsubscribe?.()
      })
    })

    // Agents: every conversation's events, presence while connected, and lines typed in the workspace.
    // A browser sends the session cookie with any page's WebSocket handshake; only our own origin may use it.
    const sameOrigin = async (request: FastifyRequest, reply: FastifyReply) => {
      const origin = request.headers.origin
      if (origin !== undefined && origin !== deps.config.publicUrl && new URL(origin, 'http://invalid').host !== request.headers.host) {
        return reply.code(403).send({ error: { code: 'FORBIDDEN', message: 'the chat socket accepts connections from this site only' } })
      }
    }
    app.get('/api/v1/chat/agent', { websocket: true, schema: { hide: true }, preValidation: sameOrigin }, (socket: ChatSocket, request) => {
      keepAlive(socket, options.chatPingMs)
      const agentName = agentNameOf(request)
      const connectionId = randomBytes(12).toString('hex')
      let queue = refreshAgentPresence(deps.store.db, connectionId, agentName, options.now()).then(async () => {
        const open = await listOpenConversations(deps.store.db)
        send(socket, { type: 'conversations', items: open.map(presentConversation) })
      })
      const heartbeat = setInterval(() => {
        void refreshAgentPresence(deps.store.db, connectionId, agentName, options.now()).catch(() => {})
      }, HEARTBEAT_MS)
      heartbeat.unref()
      const unsubscribe = bus.subscribe((event: ChatEvent) => send(socket, { type: event.kind, ...event, kind: undefined }))
      socket.on('message', (data: unknown) => {
        const m = parse(data)
        if (!m) return send(socket, { type: 'error', code: 'INVALID_INPUT', message: 'send JSON objects' })
        queue = queue
          .then(async () => {
            const conversation = await findConversationById(deps.store.db, Number(m.conversationId))
            if (!conversation || conversation.status !== 'open') return send(socket, { type: 'error', code: 'NOT_FOUND', message: 'no open conversation with that id' })
            const now = options.now()
            if (m.type === 'message') {
              const text = str(m, 'text').trim()
              if (!text || text.length > MAX_CHAT_MESSAGE_CHARS) return send(socket, { type: 'error', code: 'INVALID_INPUT', message: 'a message must be 1 to 2000 characters' })
              const line = await addAgentChatLine(deps.store.db, conversation, { text, agentName, now })
              await bus.publish({ kind: 'message', conversationId: conversation.id, from: 'agent', agentName, text: line.text, at: line.at })
            } else if (m.type === 'end') {
              await endChatConversation(deps.store.db, conversation, agentName, now)
              await bus.publish({ kind: 'ended', conversationId: conversation.id, at: now.toISOString() })
            }
          })
          .catch((err: unknown) => {
            request.log.error({ err }, 'agent chat message failed')
            send(socket, { type: 'error', code: 'INTERNAL', message: 'the message could not be saved' })
          })
      })
      socket.on('close', () => {
        clearInterval(heartbeat)
        unsubscribe()
        void removeAgentPresence(deps.store.db, connectionId).catch(() => {})
      })
    })

    const tags = ['chat']
    app.get('/api/v1/chat/conversations', { schema: { summary: 'Open live-chat conversations and how many agents are online', tags } }, async () => ({
      agentsOnline: await countAgentsOnline(deps.store.db, options.now()),
      conversations: (await listOpenConversations(deps.store.db)).map(presentConversation),
    }))

    const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const
    const getOpen = async (id: number) => {
      const c = await findConversationById(deps.store.db, id)
      if (!c) throw new NotFoundError(`conversation ${id} not found`)
      return c
    }

    app.get<{ Params: { id: number } }>('/api/v1/chat/conversations/:id', { schema: { summary: 'A conversation and its transcript', tags, params: idParams } }, async (request) => {
      const c = await getOpen(request.params.id)
      return { ...presentConversation(c), status: c.status, transcript: await listChatLines(deps.store.db, c) }
    })

    app.post<{ Params: { id: number }; Body: { text: string } }>(
      '/api/v1/chat/conversations/:id/messages',
      {
        schema: {
          summary: 'Send a line to the customer as the authenticated agent',
          tags,
          params: idParams,
          body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: MAX_CHAT_MESSAGE_CHARS } } },
        },
      },
      async (request, reply) => {
        const c = await getOpen(request.params.id)
        if (c.status !== 'open') throw new InvalidInputError(`conversation ${c.id} has ended`)
        const agentName = agentNameOf(request)
        const line = await addAgentChatLine(deps.store.db, c, { text: request.body.text, agentName, now: options.now() })
        await bus.publish({ kind: 'message', conversationId: c.id, from: 'agent', agentName, text: line.text, at: line.at })
        return reply.code(201).send(line)
      },
    )

    app.post<{ Params: { id: number } }>('/api/v1/chat/conversations/:id/end', { schema: { summary: 'End a conversation', tags, params: idParams } }, async (request, reply) => {
      const c = await getOpen(request.params.id)
      if (c.status === 'open') {
        const now = options.now()
        await endChatConversation(deps.store.db, c, agentNameOf(request), now)
        await bus.publish({ kind: 'ended', conversationId: c.id, at: now.toISOString() })
      }
      return reply.code(204).send()
    })

    app.post('/api/v1/chat/presence', { schema: { summary: 'Count this REST client as an online agent for the next 60 s', tags } }, async (request, reply) => {
      const name = agentNameOf(request)
      await refreshAgentPresence(deps.store.db, `rest:${name}`, name, options.now())
      return reply.code(204).send()
    })
  }
}

function agentNameOf(request: FastifyRequest): string {
  const agent: unknown = (request as unknown as { agent?: unknown }).agent
  if (typeof agent === 'object' && agent !== null && 'displayName' in agent && typeof agent.displayName === 'string') return agent.displayName
  return 'agent'
}
