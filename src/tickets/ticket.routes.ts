import { findAttachmentVerdicts } from '../attachments/attachment-verdict.repository.ts'
import type { FastifyInstance } from 'fastify'
import { findCustomersByIds } from '../customers/customer.repository.ts'
import type { AppDeps } from '../web/app.ts'
import { getTicketIdOfNumber } from './ticket-number.ts'
import { presentEvent, presentMessage, presentTicketSummary } from './ticket.presenter.ts'
import { listTickets } from './ticket.repository.ts'
import { getTicketWithThread } from './ticket.service.ts'

const TICKET_STATUSES = ['new', 'open', 'pending', 'solved', 'closed']

export function ticketRoutes(deps: AppDeps) {
  const prefix = deps.config.brand.ticketPrefix
  return async function register(app: FastifyInstance): Promise<void> {
    app.get<{ Querystring: { status?: string; limit: number; offset: number } }>(
      '/api/v1/tickets',
      {
        schema: {
          summary: 'List tickets, newest activity first',
          tags: ['tickets'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              status: { type: 'string', enum: TICKET_STATUSES },
              limit: { type: 'integer', minimum: 1, maximum: 100, default: 25 },
              offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
            },
          },
        },
      },
      async (request) => {
        const { rows, total } = await listTickets(deps.store.db, request.query)
        const found = await findCustomersByIds(deps.store.db, [...new Set(rows.map((r) => r.customer_id))])
        const customers = new Map(found.map((c) => [c.id, c]))
        return {
          total,
          limit: request.query.limit,
          offset: request.query.offset,
          tickets: rows.map((t) => presentTicketSummary(prefix, t, customers.get(t.customer_id))),
        }
      },
    )

    app.get<{ Params: { number: string } }>(
      '/api/v1/tickets/:number',
      {
        schema: {
          summary: 'One ticket with its messages, attachment metadata and events',
          tags: ['tickets'],
          params: { type: 'object', properties: { number: { type: 'string', maxLength: 32 } }, required: ['number'] },
        },
      },
      async (request) => {
        const id = getTicketIdOfNumber(prefix, request.params.number)
        const t = await getTicketWithThread(deps.store.db, id)
        const verdicts = await findAttachmentVerdicts(deps.store.db, t.attachments.map((a) => a.sha256))
        return {
          ...presentTicketSummary(prefix, t.ticket, t.customer),
          messages: t.messages.map((m) => presentMessage(m, t.attachments.filter((a) => a.message_id === m.id), verdicts)),
          events: t.events.map(presentEvent),
        }
      },
    )
  }
}
