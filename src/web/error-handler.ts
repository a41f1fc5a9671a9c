import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
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

/** A browser that asks for a page we do not have gets a page, in both languages, with the ways on. */
const NOT_FOUND_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>404</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5">
<h1>页面不存在 · Page not found</h1>
<p>此地址没有页面。The address you opened has no page.</p>
<ul><li><a href="/help">帮助中心 · Help centre</a></li><li><a href="/contact">联系我们 · Contact us</a></li><li><a href="/verify">验证官方渠道 · Check it is really us</a></li></ul>
</body></html>`

/** The 415 of a route whose body is not what it takes: INVALID_INPUT, with what to send instead. */
export function sendUnsupportedMediaType(reply: FastifyReply, whatToSend: string): FastifyReply {
  return reply.code(415).send({ error: { code: 'INVALID_INPUT', message: whatToSend } })
}

/** One place turns errors into HTTP answers: `{ error: { code, message } }`. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const [path = '', query] = request.url.split('?', 2)
    const forPeople = (request.method === 'GET' || request.method === 'HEAD') && !path.startsWith('/api/')
    // /contact/ and /status/ are how people and link checkers often write our pages.
    // Plain segments only: '//evil.example/' or '/\\evil.example/' would be an open redirect once the slash is gone.
    if (forPeople && /^(\/[\w.~-]+)+\/+$/.test(path)) {
      return reply.redirect(`${path.replace(/\/+$/, '') || '/'}${query === undefined ? '' : `?${query}`}`, 301)
    }
    if (forPeople && /\btext\/html\b/.test(request.headers.accept ?? '')) {
      return reply.code(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE)
    }
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${path}` } })
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
      // Fastify's own client errors keep their status, in our codes and words (docs/errors.md), not FST_ERR_*.
      const status = err.statusCode
      return reply.code(status).send({ error: { code: status === 413 ? 'MESSAGE_TOO_LARGE' : 'INVALID_INPUT', message: clientErrorMessage(err, request.headers['content-type']) } })
    }
    request.log.error({ err }, 'request failed')
    return reply.code(500).send(INTERNAL_ERROR)
  })
}

/** What a client did wrong, for the errors Fastify raises before a route runs. */
function clientErrorMessage(err: FastifyError, contentType: string | undefined): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'the body is not valid JSON'
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the body is empty; send a JSON object'
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the request body is larger than this route accepts'
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `Content-Type ${JSON.stringify((contentType ?? '').slice(0, 80))} is not accepted here; /api/v1/openapi.json lists what each route takes`
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'a path parameter is too long'
    default:
      // secure-json-parse refuses __proto__ and constructor.prototype keys with an exact message of its own.
      return err.message
  }
}
