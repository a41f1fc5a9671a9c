import type { FastifyInstance } from 'fastify'
import { requireAdmin } from '../agents/agent.routes.ts'
import { insertAuditEntry } from '../agents/audit-log.repository.ts'
import { findCustomerById } from '../customers/customer.repository.ts'
import { NotFoundError } from '../errors.ts'
import { detectLanguage } from '../pipeline/detect-language.ts'
import type { AppDeps } from '../web/app.ts'
import { requireAgent } from '../web/auth.ts'
import { DEFAULT_REPLY_TEMPLATES, fillTemplate } from './reply-template.ts'
import { formatTicketNumber, parseTicketNumber } from './ticket-number.ts'

/** Reply templates in Chinese and English, filled for one ticket, the customer's language first. */
export function replyTemplateRoutes(deps: AppDeps & { now?: () => Date }) {
  const db = deps.store.db
  const prefix = deps.config.brand.ticketPrefix
  const now = deps.now ?? (() => new Date())
  return async function register(app: FastifyInstance): Promise<void> {
    app.get<{ Params: { number: string } }>(
      '/api/v1/tickets/:number/templates',
      { schema: { summary: 'Reply templates with placeholders filled for this ticket', tags: ['workspace'], params: { type: 'object', properties: { number: { type: 'string', maxLength: 32 } } } } },
      async (request) => {
        const agent = requireAgent(request)
        const id = parseTicketNumber(prefix, request.params.number)
        const ticket = id === undefined ? undefined : await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst()
        if (!ticket) throw new NotFoundError('ticket not found')
        const customer = await findCustomerById(db, ticket.customer_id)
        const first = await db.selectFrom('ticket_messages').select(['text_body', 'subject']).where('ticket_id', '=', ticket.id).where('direction', '=', 'inbound').orderBy('id', 'asc').limit(1).executeTakeFirst()
        const language = customer?.language ?? detectLanguage(`${first?.subject ?? ''}\n${first?.text_body ?? ''}`.slice(0, 4000))
        const stored = await db.selectFrom('reply_templates').select(['id', 'name', 'language', 'body']).orderBy('id', 'asc').execute()
        const values = {
          'customer.name': customer?.display_name || (language === 'zh-CN' ? '客户' : 'customer'),
          'customer.email': customer?.email ?? '',
          'ticket.number': formatTicketNumber(prefix, ticket.id),
          'ticket.subject': ticket.subject,
          'agent.name': agent.displayName,
          'brand.name': deps.config.brand.name,
        }
        const all = [...DEFAULT_REPLY_TEMPLATES.map((t, i) => ({ id: `builtin-${i}`, ...t })), ...stored.map((t) => ({ ...t, id: String(t.id) }))]
        all.sort((a, b) => Number(b.language === language) - Number(a.language === language))
        return { language, templates: all.map((t) => ({ id: t.id, name: t.name, language: t.language, text: fillTemplate(t.body, values) })) }
      },
    )

    app.post<{ Body: { name: string; language: string; body: string } }>(
      '/api/v1/templates',
      {
        schema: {
          summary: 'Add a reply template (admins only)',
          tags: ['workspace'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'language', 'body'],
            properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, language: { type: 'string', enum: ['zh-CN', 'en'] }, body: { type: 'string', minLength: 1, maxLength: 20000 } },
          },
        },
      },
      async (request, reply) => {
        const admin = requireAdmin(request)
        const row = await db.insertInto('reply_templates').values({ ...request.body, created_at: now().toISOString() }).returning('id').executeTakeFirstOrThrow()
        await insertAuditEntry(db, { agentId: admin.id, action: 'template.create', targetType: 'template', targetId: row.id, ip: request.ip, now: now() })
        return reply.code(201).send({ id: row.id })
      },
    )
  }
}
