import type { FastifyInstance } from 'fastify'
import { insertAuditEntry } from '../agents/audit-log.repository.ts'
import { createMailTransport, type MailTransport } from '../notify/mail-transport.ts'
import { sendAgentReply } from '../notify/outbound.service.ts'
import type { AppDeps } from '../web/app.ts'
import { requireAgent } from '../web/auth.ts'
import { getTicketIdOfNumber } from './ticket-number.ts'

/** POST /api/v1/tickets/:number/replies: the agent's answer, sent through the outbound path with threading headers. */
export function ticketReplyRoutes(deps: AppDeps & { transport?: MailTransport | undefined; now?: () => Date }) {
  const now = deps.now ?? (() => new Date())
  const prefix = deps.config.brand.ticketPrefix
  return async function register(app: FastifyInstance): Promise<void> {
    // Serve passes the runtime's transport; a bare app (tests, tools) opens its own from the config.
    let transport = deps.transport
    const ownTransport = () => {
      transport ??= createMailTransport(deps.config, deps.log)
      return transport
    }
    app.addHook('onClose', async () => {
      if (!deps.transport) transport?.close()
    })

    app.post<{ Params: { number: string }; Body: { text: string; status?: 'open' | 'pending' | 'solved' } }>(
      '/api/v1/tickets/:number/replies',
      {
        schema: {
          summary: "Reply to the customer (threaded, DKIM-signed, with the customer's anti-phishing code)",
          tags: ['workspace'],
          params: { type: 'object', properties: { number: { type: 'string', maxLength: 32 } }, required: ['number'] },
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['text'],
            properties: { text: { type: 'string', minLength: 1, maxLength: 100_000 }, status: { type: 'string', enum: ['open', 'pending', 'solved'] } },
          },
        },
      },
      async (request, reply) => {
        const agent = requireAgent(request)
        const ticketId = getTicketIdOfNumber(prefix, request.params.number)
        const result = await sendAgentReply(
          { db: deps.store.db, config: deps.config, transport: ownTransport(), log: deps.log, now },
          { ticketId, agentId: agent.id, text: request.body.text, setStatus: request.body.status },
        )
        await insertAuditEntry(deps.store.db, {
          agentId: agent.id,
          action: 'ticket.reply_sent',
          targetType: 'ticket',
          targetId: ticketId,
          data: { messageId: result.messageId, status: result.status },
          ip: request.ip,
          now: now(),
        })
        return reply.code(201).send({ messageId: result.messageId, messageIdHeader: result.messageIdHeader, status: result.status })
      },
    )
  }
}
