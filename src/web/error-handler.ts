import type { FastifyError, FastifyInstance } from 'fastify'
import { MaildeskError, type ErrorCode } from '../errors.ts'

const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  NOT_AN_EMAIL: 400,
  NOT_FOUND: 404,
  MESSAGE_TOO_LARGE: 413,
  RECIPIENT_NOT_ALLOWED: 400,
  CONFIG_INVALID: 500,
  STORAGE_UNAVAILABLE: 503,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  MAIL_BLOCKED: 409,
  SERVER_BUSY: 503,
}

/** The answer to an error nobody expected: its detail goes to the log, never to the client. */
export const INTERNAL_ERROR = { error: { code: 'INTERNAL', message: 'internal error; the operator can find it in the log' } } as const

/** One place turns errors into HTTP answers: `{ error: { code, message } }`. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } })
  })
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof MaildeskError) {
      return reply.code(HTTP_STATUS[err.code]).send({ error: { code: err.code, message: err.message } })
    }
    if (err.validation) {
      const detail = err.validation.map((v) => `${err.validationContext ?? 'request'}${v.instancePath || ''} ${v.message ?? 'is invalid'}`).join('; ')
      return reply.code(400).send({ error: { code: 'INVALID_INPUT', message: detail } })
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own client errors (body too large, bad JSON, unsupported media type) keep their status.
      return reply.code(err.statusCode).send({ error: { code: err.code ?? 'INVALID_INPUT', message: err.message } })
    }
    request.log.error({ err }, 'request failed')
    return reply.code(500).send(INTERNAL_ERROR)
  })
}
