import { findAttachmentVerdict, findAttachmentVerdicts } from '../attachments/attachment-verdict.repository.ts'
import { isServableToAgents } from '../attachments/inspect-attachment.ts'
import { isInlineImageType, safeDownloadHeaders } from '../attachments/safe-download-headers.ts'
import path from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { findCustomersByIds } from '../customers/customer.repository.ts'
import { MaildeskError, NotFoundError } from '../errors.ts'
import type { AppDeps } from '../web/app.ts'
import { requireAgent } from '../web/auth.ts'
import { escapeHtml } from '../escape-html.ts'
import { mailBodyCsp, mailBodyDocument, sanitizeHtml } from '../web/sanitize-html.ts'
import { AttachmentStore } from './attachment-store.ts'
import { findMessageById } from './ticket-message.repository.ts'
import { formatTicketNumber, getTicketIdOfNumber, ROW_ID_SCHEMA } from './ticket-number.ts'
import { presentTicketSummary } from './ticket.presenter.ts'
import type { TicketRow } from './ticket.table.ts'
import { searchTickets } from './ticket-search.repository.ts'
import { countTicketsInViews, listTicketsInView, type TicketSort } from './ticket-views.repository.ts'
import {
  MAX_TAGS,
  TAG_PATTERN,
  TICKET_CATEGORIES,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_VIEWS,
  type TicketChanges,
  type TicketView,
} from './ticket-workflow.ts'
import { addInternalNote, changeTicket, changeTickets, mergeTickets, type ActingAgent } from './ticket-workflow.service.ts'
import type { LiveEventBus } from './ticket-live-events.ts'

const tagList = { type: 'array', maxItems: MAX_TAGS, items: { type: 'string', pattern: TAG_PATTERN } } as const
const changesSchema = {
  status: { type: 'string', enum: [...TICKET_STATUSES] },
  priority: { type: 'string', enum: [...TICKET_PRIORITIES] },
  category: { type: 'string', enum: [...TICKET_CATEGORIES] },
  assigneeAgentId: { ...ROW_ID_SCHEMA, type: ['integer', 'null'] },
  tags: tagList,
  addTags: tagList,
  removeTags: tagList,
} as const
const numberParam = { type: 'object', properties: { number: { type: 'string', maxLength: 32 } }, required: ['number'] } as const

export interface WorkspaceDeps extends AppDeps {
  bus: LiveEventBus
  now?: () => Date
}

/** Views, search, ticket actions (assign, status, notes, merge, bulk), safe mail bodies, downloads, live updates. */
export function ticketWorkspaceRoutes(deps: WorkspaceDeps) {
  const db = deps.store.db
  const prefix = deps.config.brand.ticketPrefix
  const now = deps.now ?? (() => new Date())
  const attachments = new AttachmentStore(path.join(deps.config.dataDir, 'attachments'))

  const ticketIdOf = (value: string): number => getTicketIdOfNumber(prefix, value)
  const actorOf = (request: FastifyRequest): ActingAgent => ({ agent: requireAgent(request), ip: request.ip })
  const present = async (rows: TicketRow[]) => {
    const found = await findCustomersByIds(db, [...new Set(rows.map((r) => r.customer_id))])
    const customers = new Map(found.map((c) => [c.id, c]))
    return rows.map((t) => presentTicketSummary(prefix, t, customers.get(t.customer_id)))
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/v1/views', { schema: { summary: 'The inbox views with their ticket counts', tags: ['workspace'] } }, async (request) => {
      const agent = requireAgent(request)
      const counts = await countTicketsInViews(db, agent.id, now())
      return { views: TICKET_VIEWS.map((name) => ({ name, count: counts[name] })) }
    })

    app.get<{ Params: { view: TicketView }; Querystring: { sort: TicketSort; limit: number; offset: number } }>(
      '/api/v1/views/:view/tickets',
      {
        schema: {
          summary: 'One page of a view; sort=due puts the nearest SLA deadline first',
          tags: ['workspace'],
          params: { type: 'object', properties: { view: { type: 'string', enum: [...TICKET_VIEWS] } }, required: ['view'] },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              sort: { type: 'string', enum: ['due', 'newest', 'oldest', 'updated'], default: 'due' },
              limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
              offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
            },
          },
        },
      },
      async (request) => {
        const agent = requireAgent(request)
        const { rows, total } = await listTicketsInView(db, { view: request.params.view, agentId: agent.id, now: now(), ...request.query })
        return { view: request.params.view, total, tickets: await present(rows) }
      },
    )

    app.get<{
      Querystring: { q?: string; status?: string; assignee?: string; category?: string; from?: string; to?: string; limit: number; offset: number }
    }>(
      '/api/v1/search',
      {
        schema: {
          summary: 'Full-text search over subjects and bodies (Chinese and English), with filters',
          tags: ['workspace'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              q: { type: 'string', maxLength: 500 },
              status: { type: 'string', enum: [...TICKET_STATUSES] },
              assignee: { type: 'string', pattern: '^(me|none|[0-9]{1,9})$' },
              category: { type: 'string', enum: [...TICKET_CATEGORIES] },
              from: { type: 'string', format: 'date' },
              to: { type: 'string', format: 'date' },
              limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
              offset: { type: 'integer', minimum: 0, maximum: 100_000, default: 0 },
            },
          },
        },
      },
      async (request) => {
        const agent = requireAgent(request)
        const q = request.query
        const assignee = q.assignee === undefined ? undefined : q.assignee === 'me' ? agent.id : q.assignee === 'none' ? null : Number(q.assignee)
        const toExclusive = q.to ? new Date(Date.parse(q.to) + 24 * 60 * 60 * 1000).toISOString() : undefined
        const { rows, total, totalIsExact } = await searchTickets(deps.store, {
          text: q.q,
          status: q.status,
          assigneeAgentId: assignee,
          category: q.category,
          createdFrom: q.from ? new Date(q.from).toISOString() : undefined,
          createdTo: toExclusive,
          limit: q.limit,
          offset: q.offset,
        })
        return { total, totalIsExact, tickets: await present(rows) }
      },
    )

    app.patch<{ Params: { number: string }; Body: TicketChanges }>(
      '/api/v1/tickets/:number',
      {
        schema: {
          summary: 'Change status, priority, category, assignee or tags',
          tags: ['workspace'],
          params: numberParam,
          body: { type: 'object', additionalProperties: false, minProperties: 1, properties: changesSchema },
        },
      },
      async (request) => {
        const changed = await changeTicket(db, actorOf(request), ticketIdOf(request.params.number), request.body, now())
        return { changed }
      },
    )

    app.post<{ Body: { tickets: string[]; changes: TicketChanges } }>(
      '/api/v1/tickets/bulk',
      {
        schema: {
          summary: 'Apply the same changes to many tickets (a bulk action on a view)',
          tags: ['workspace'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['tickets', 'changes'],
            properties: {
              tickets: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'string', maxLength: 32 } },
              changes: { type: 'object', additionalProperties: false, minProperties: 1, properties: changesSchema },
            },
          },
        },
      },
      async (request) => {
        const ids = request.body.tickets.map(ticketIdOf)
        const changed = await changeTickets(db, actorOf(request), ids, request.body.changes, now())
        return { changed }
      },
    )

    app.post<{ Params: { number: string }; Body: { text: string } }>(
      '/api/v1/tickets/:number/notes',
      {
        schema: {
          summary: 'Add an internal note (never sent to the customer)',
          tags: ['workspace'],
          params: numberParam,
          body: { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 20000 } } },
        },
      },
      async (request, reply) => {
        const id = await addInternalNote(db, actorOf(request), ticketIdOf(request.params.number), request.body.text, now())
        return reply.code(201).send({ id })
      },
    )

    app.post<{ Params: { number: string }; Body: { into: string } }>(
      '/api/v1/tickets/:number/merge',
      {
        schema: {
          summary: 'Merge this ticket into another; its messages move there and it is closed',
          tags: ['workspace'],
          params: numberParam,
          body: { type: 'object', additionalProperties: false, required: ['into'], properties: { into: { type: 'string', maxLength: 32 } } },
        },
      },
      async (request) => {
        const source = ticketIdOf(request.params.number)
        const target = ticketIdOf(request.body.into)
        await mergeTickets(db, actorOf(request), source, target, now())
        return { merged: true, into: formatTicketNumber(prefix, target) }
      },
    )

    const getRow = async (id: number): Promise<TicketRow> => {
      const row = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst()
      if (!row) throw new NotFoundError('ticket not found')
      return row
    }

    app.get<{ Params: { number: string } }>(
      '/api/v1/tickets/:number/history',
      { schema: { summary: "The customer's other tickets", tags: ['workspace'], params: numberParam } },
      async (request) => {
        const ticket = await getRow(ticketIdOf(request.params.number))
        const rows = await db
          .selectFrom('tickets')
          .selectAll()
          .where('customer_id', '=', ticket.customer_id)
          .where('id', '!=', ticket.id)
          .orderBy('created_at', 'desc')
          .limit(20)
          .execute()
        return { tickets: await present(rows) }
      },
    )

    app.get<{ Params: { id: number }; Querystring: { images?: boolean } }>(
      '/api/v1/messages/:id/body.html',
      {
        schema: {
          summary: 'A message HTML body, sanitized, as a document for a sandboxed iframe',
          tags: ['workspace'],
          params: { type: 'object', properties: { id: ROW_ID_SCHEMA }, required: ['id'] },
          querystring: { type: 'object', additionalProperties: false, properties: { images: { type: 'boolean', default: false } } },
        },
      },
      async (request, reply) => {
        const message = await findMessageById(db, request.params.id)
        if (!message) throw new NotFoundError('message not found')
        const allowImages = request.query.images === true
        const inlineImages = message.html_body !== null ? await inlineImagesOf(message.id) : new Map<string, string>()
        const fragment = message.html_body !== null
          ? sanitizeHtml(message.html_body, { allowRemoteImages: allowImages, inlineImages }).html
          : `<pre style="white-space:pre-wrap">${escapeHtml(message.text_body ?? '')}</pre>`
        return reply
          .header('content-type', 'text/html; charset=utf-8')
          .header('content-security-policy', mailBodyCsp(allowImages))
          .header('x-content-type-options', 'nosniff')
          .header('referrer-policy', 'no-referrer')
          .header('cache-control', 'private, no-store')
          .send(mailBodyDocument(fragment))
      },
    )

    // A message's embedded images (cid:) that agents may see: raster images that passed the attachment inspection.
    const inlineImagesOf = async (messageId: number): Promise<Map<string, string>> => {
      const parts = await db.selectFrom('attachments').select(['id', 'sha256', 'content_id']).where('message_id', '=', messageId).where('content_id', 'is not', null).execute()
      const verdicts = await findAttachmentVerdicts(db, parts.map((p) => p.sha256))
      const out = new Map<string, string>()
      for (const p of parts) {
        const verdict = verdicts.get(p.sha256)
        if (p.content_id && verdict && isServableToAgents(verdict.verdict) && isInlineImageType(verdict.detected_type)) {
          out.set(p.content_id.replace(/^<|>$/g, '').toLowerCase(), `/api/v1/attachments/${p.id}/inline`)
        }
      }
      return out
    }

    /** A stored attachment and its inspection verdict (none for files stored before inspection existed). */
    const findAttachment = async (id: number) => {
      const row = await db.selectFrom('attachments').select(['filename', 'sha256', 'size_bytes']).where('id', '=', id).executeTakeFirst()
      return row ? { row, verdict: await findAttachmentVerdict(db, row.sha256) } : undefined
    }
    /** Streams the file with the safe headers for the type it is served as (safe-download-headers.ts). */
    const sendAttachment = (reply: FastifyReply, row: { filename: string; sha256: string; size_bytes: number }, servedAs: string) =>
      reply.headers(safeDownloadHeaders(servedAs, row.filename)).header('content-length', String(row.size_bytes)).send(attachments.openRead(row.sha256))

    app.get<{ Params: { id: number } }>(
      '/api/v1/attachments/:id/inline',
      {
        schema: {
          summary: 'An embedded image of a mail, shown in its sanitized body (raster images that passed inspection only)',
          tags: ['workspace'],
          params: { type: 'object', properties: { id: ROW_ID_SCHEMA }, required: ['id'] },
        },
      },
      async (request, reply) => {
        const found = await findAttachment(request.params.id)
        const verdict = found?.verdict
        // Shown only as what its bytes are, and only a raster image: anything else is a download (the route below).
        if (!found || !verdict || !isServableToAgents(verdict.verdict) || !isInlineImageType(verdict.detected_type)) {
          throw new NotFoundError('no image to show with that id; download attachments with /api/v1/attachments/:id')
        }
        return sendAttachment(reply, found.row, verdict.detected_type)
      },
    )

    app.get<{ Params: { id: number } }>(
      '/api/v1/attachments/:id',
      {
        schema: {
          summary: 'Download an attachment (always as a download, never rendered)',
          tags: ['workspace'],
          params: { type: 'object', properties: { id: ROW_ID_SCHEMA }, required: ['id'] },
        },
      },
      async (request, reply) => {
        const found = await findAttachment(request.params.id)
        if (!found) throw new NotFoundError('attachment not found')
        // Quarantined files (executables, macros, archive bombs, infected) and files still awaiting a virus scan are
        // withheld from agents; the security team works from the attachment_verdicts table.
        const { verdict } = found
        if (verdict && !isServableToAgents(verdict.verdict)) {
          throw new MaildeskError('FORBIDDEN', `this attachment is withheld (${verdict.verdict}${verdict.reason ? `: ${verdict.reason}` : ''}); ask the security team`)
        }
        // Always a download of opaque bytes: the workspace previews nothing, so no detected type is passed on.
        return sendAttachment(reply, found.row, 'application/octet-stream')
      },
    )

    const liveStreams = new Set<() => void>()
    app.addHook('onClose', async () => {
      for (const end of liveStreams) end()
    })
    app.get('/api/v1/live', { schema: { summary: 'Server-sent events: ticket changes as they happen', tags: ['workspace'] } }, async (request, reply) => {
      requireAgent(request)
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' })
      res.write(': connected\n\n')
      const unsubscribe = deps.bus.subscribe((e) => {
        res.write(`event: ticket\ndata: ${JSON.stringify({ ticket: formatTicketNumber(prefix, e.ticketId), type: e.type, eventId: e.eventId })}\n\n`)
      })
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25_000)
      const end = () => {
        clearInterval(keepAlive)
        unsubscribe()
        liveStreams.delete(end)
        res.end()
      }
      liveStreams.add(end)
      request.raw.on('close', end)
    })
  }
}
