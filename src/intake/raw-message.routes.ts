import { sendUnsupportedMediaType } from '../web/error-handler.ts'
import type { FastifyInstance } from 'fastify'
import { NotFoundError } from '../errors.ts'
import { assertLooksLikeEmail } from '../pipeline/parse-message.ts'
import type { AppDeps } from '../web/app.ts'
import { findRawMessageSummary, listRawMessages, requeueFailedRawMessages, type RawMessageSummary } from './raw-message.repository.ts'
import type { RawMessageStatus } from './raw-message.table.ts'

function presentRawMessage(r: RawMessageSummary) {
  return {
    id: r.id,
    source: r.source,
    receivedAt: r.received_at,
    sizeBytes: r.size_bytes,
    sha256: r.sha256,
    status: r.status,
    attempts: r.attempts,
    error: r.error_code ? { code: r.error_code, message: r.error_message } : null,
    processedAt: r.processed_at,
    messageId: r.message_id,
  }
}

export function rawMessageRoutes(deps: AppDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get<{ Querystring: { status?: RawMessageStatus; limit: number; offset: number } }>(
      '/api/v1/raw-messages',
      {
        schema: {
          summary: 'Messages as received, with their processing status and error (failed ones can be re-processed)',
          tags: ['intake'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              status: { type: 'string', enum: ['pending', 'processing', 'processed', 'duplicate', 'failed'] },
              limit: { type: 'integer', minimum: 1, maximum: 100, default: 25 },
              offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
            },
          },
        },
      },
      async (request) => ({ rawMessages: (await listRawMessages(deps.store.db, request.query)).map(presentRawMessage) }),
    )

    app.post<{ Params: { id: number } }>(
      '/api/v1/raw-messages/:id/reprocess',
      {
        schema: {
          summary: 'Put a failed message back into the pipeline',
          tags: ['intake'],
          params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
        },
      },
      async (request, reply) => {
        const found = await findRawMessageSummary(deps.store.db, request.params.id)
        if (!found) throw new NotFoundError(`raw message ${request.params.id} not found`)
        const requeued = (await requeueFailedRawMessages(deps.store.db, [request.params.id])).length === 1
        deps.onSpooled?.()
        return reply.code(202).send({ requeued, status: requeued ? 'pending' : found.status })
      },
    )

    // Import one message over HTTP: the same spool and pipeline as SMTP.
    app.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: deps.config.maxMessageBytes }, (_req, body, done) =>
      done(null, body),
    )
    app.post<{ Body: Buffer }>(
      '/api/v1/messages',
      {
        bodyLimit: deps.config.maxMessageBytes,
        schema: {
          summary: 'Submit one RFC 5322 message (Content-Type: message/rfc822); it is stored durably before the 202',
          tags: ['intake'],
        },
      },
      async (request, reply) => {
        if (!Buffer.isBuffer(request.body)) {
          return sendUnsupportedMediaType(reply, 'send the message with Content-Type: message/rfc822')
        }
        assertLooksLikeEmail(request.body)
        const id = await deps.spool.spool({ raw: request.body, source: 'api', remoteAddress: request.ip })
        return reply.code(202).send({ rawMessageId: id, status: 'pending' })
      },
    )
  }
}
