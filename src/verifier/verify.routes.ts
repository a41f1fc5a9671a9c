import { sendUnsupportedMediaType } from '../web/error-handler.ts'
import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import { MaildeskError, NotAnEmailError } from '../errors.ts'
import { VERIFY_PAGE_STRINGS } from '../i18n/verifier.ts'
import { createSystemResolver, type DnsResolver } from '../pipeline/authenticate-sender.ts'
import { assertLooksLikeEmail } from '../pipeline/parse-message.ts'
import { pageContext, renderPage, sendPage } from '../public/page.ts'
import { languageFromAcceptLanguage } from '../public/language.ts'
import { RateLimiter } from '../public/rate-limiter.ts'
import { readMultipartForm } from '../public/read-form.ts'
import { recordPhishingReport } from '../phishing-reports/phishing-report.service.ts'
import type { AppDeps } from '../web/app.ts'
import { verifyIdentifier } from './verify-identifier.ts'
import { renderVerifyBody, VERIFY_CSS } from './verify-page.ts'
import { findOutboundByVerificationCode } from '../notify/verification.service.ts'
import { normalizeVerificationCode } from '../notify/verification-code.ts'
import { verifyUploadedEmail } from './verify.service.ts'
import type { VerifyResult } from './verify-result.ts'

const MAX_UPLOAD_BYTES = 10 * 1024 * 1024 // 10 MiB: a forwarded phishing mail, not a mailbox export
/** Whole messages checked per connection address in 10 minutes (API and page together). */
const MESSAGE_CHECKS_PER_WINDOW = 30
/** Verification-code lookups per connection address a minute, as GET /api/v1/verify/code/:code allows. */
const CODE_LOOKUPS_PER_MINUTE = 30

const resultSchema = {
  type: 'object',
  required: ['verdict', 'inputKind', 'reasons', 'language'],
  properties: {
    verdict: { type: 'string', enum: ['official', 'impersonation', 'not_official', 'unknown'] },
    inputKind: { type: 'string', enum: ['email', 'domain', 'url', 'phone', 'email_message', 'unknown'] },
    language: { type: 'string', enum: ['en', 'zh-CN'] },
    reasons: {
      type: 'array',
      items: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const

export interface VerifyRouteOptions {
  /** DNS for checking uploaded messages' signatures; the system resolver by default, a zone resolver in tests. */
  resolver?: DnsResolver
}

/** POST /api/v1/verify (JSON or message/rfc822) and the public page GET/POST /verify. */
export function verifyRoutes(deps: AppDeps, options: VerifyRouteOptions = {}) {
  const brand = deps.config.brand
  const maxUploadBytes = Math.min(deps.config.maxMessageBytes, MAX_UPLOAD_BYTES)
  const resolver = options.resolver ?? createSystemResolver()
  const log = deps.log.child({ component: 'verifier' })
  // Reports from the public page write to the database: at most 20 per connection address per hour.
  const reportLimiter = new RateLimiter(20, 60 * 60 * 1000)
  // Checking a whole message parses up to 10 MiB and asks DNS about domains the sender chose (DKIM keys,
  // DMARC, SPF): a stranger may do that a bounded number of times. Identifier checks are pure CPU and cheap.
  const messageLimiter = new RateLimiter(MESSAGE_CHECKS_PER_WINDOW, 10 * 60 * 1000)
  // A found code shows the subject and masked recipient of one of our emails; codes are 40 random bits,
  // and the cap keeps guessing them hopeless here as it does on the API.
  const codeLookups = new RateLimiter(CODE_LOOKUPS_PER_MINUTE, 60_000)
  const pickApiLanguage = (explicit: string | undefined, accept: string | undefined) =>
    explicit === 'en' || explicit === 'zh-CN' ? explicit : (languageFromAcceptLanguage(accept, brand.languages) ?? brand.defaultLanguage)

  return async function register(app: FastifyInstance): Promise<void> {
    // Encapsulated in this plugin: uploads of raw messages, and the page's file form.
    app.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: maxUploadBytes }, (_req, body, done) => done(null, body))
    if (!app.hasContentTypeParser('multipart/form-data')) await app.register(multipart, { throwFileSizeLimit: false })

    app.get('/verify/assets/verify.css', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
      reply.header('content-type', 'text/css; charset=utf-8').header('x-content-type-options', 'nosniff').header('cache-control', 'public, max-age=300').send(VERIFY_CSS),
    )

    app.post<{ Body: { input: string; language?: 'en' | 'zh-CN' } | Buffer; Querystring: { lang?: 'en' | 'zh-CN' } }>(
      '/api/v1/verify',
      {
        config: { public: true },
        schema: {
          summary: 'Is this really us? Verdict for an email address, domain, URL, phone number, or a whole message',
          description:
            'Send JSON `{ "input": "…", "language": "en" | "zh-CN" }`, or the raw message as `message/rfc822` (at most 10 MiB; language from `?lang=` or Accept-Language). Uploaded messages have their DKIM/DMARC checked.',
          tags: ['verifier'],
          querystring: { type: 'object', properties: { lang: { type: 'string', enum: ['en', 'zh-CN'] } } },
          body: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['input'],
                  additionalProperties: false,
                  properties: { input: { type: 'string', minLength: 1, maxLength: 2048 }, language: { type: 'string', enum: ['en', 'zh-CN'] } },
                },
              },
              // Any bytes: the handler checks they are an email (NOT_AN_EMAIL otherwise).
              'message/rfc822': { schema: { description: 'the raw message (.eml), at most 10 MiB' } },
            },
          },
          response: { 200: resultSchema },
        },
      },
      async (request, reply) => {
        const body = request.body
        if (body === undefined || body === null || (!Buffer.isBuffer(body) && typeof body !== 'object')) {
          return sendUnsupportedMediaType(reply, 'send {"input": "…"} with Content-Type: application/json, or a message with Content-Type: message/rfc822')
        }
        if (Buffer.isBuffer(body)) {
          const language = pickApiLanguage(request.query.lang, request.headers['accept-language'])
          if (!messageLimiter.take(request.ip, new Date())) {
            throw new MaildeskError('RATE_LIMITED', `at most ${MESSAGE_CHECKS_PER_WINDOW} messages in 10 minutes from one address; try again later`)
          }
          assertLooksLikeEmail(body)
          const result = await verifyUploadedEmail(body, { brand, language, resolver, log })
          log.info({ verdict: result.verdict, inputKind: result.inputKind, bytes: body.length }, 'message verified')
          return { ...result, language }
        }
        const language = pickApiLanguage(body.language ?? request.query.lang, request.headers['accept-language'])
        const result = verifyIdentifier(body.input, { brand, language })
        log.info({ verdict: result.verdict, inputKind: result.inputKind }, 'identifier verified')
        return { ...result, language }
      },
    )

    app.get<{ Querystring: { input?: string; code?: string } }>(
      '/verify',
      {
        config: { public: true },
        schema: {
          hide: true,
          querystring: { type: 'object', properties: { input: { type: 'string' }, lang: { type: 'string' }, code: { type: 'string', maxLength: 64 } } },
        },
      },
      async (request, reply) => {
        const ctx = pageContext(request, deps.config)
        const s = VERIFY_PAGE_STRINGS[ctx.lang]
        const input = request.query.input?.trim()
        let result: VerifyResult | undefined
        let error: string | undefined
        let status = 200
        if (input && input.length > 2048) error = s.tooLong
        else if (input) result = verifyIdentifier(input, { brand, language: ctx.lang })
        // The verification code printed in every genuine email: unknown and expired codes are answered alike.
        let code: { code: string; sent: Awaited<ReturnType<typeof findOutboundByVerificationCode>> } | undefined
        if (request.query.code && !codeLookups.take(request.ip, new Date())) {
          error = s.codeLimited
          status = 429
        } else if (request.query.code) {
          const normalized = normalizeVerificationCode(request.query.code)
          code = { code: normalized ?? request.query.code.slice(0, 20), sent: normalized ? await findOutboundByVerificationCode(deps.store.db, normalized) : undefined }
        }
        const body = renderVerifyBody(brand, ctx.lang, { input, result, checked: input, error, maxUploadBytes, ...(code ? { code } : {}) })
        return sendPage(reply, ctx, renderPage(ctx, { title: s.title.replace('{brand}', brand.name), current: 'verify', body }), status)
      },
    )

    app.post('/verify', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const ctx = pageContext(request, deps.config)
      const s = VERIFY_PAGE_STRINGS[ctx.lang]
      const form = await readMultipartForm(request, { maxFiles: 1, maxFileBytes: maxUploadBytes })
      const file = form.files[0]
      let result: VerifyResult | undefined
      let error: string | undefined
      let notice: string | undefined
      let reported = false
      let status = 200
      if (form.limitBroken || file?.truncated) {
        error = s.tooLarge.replace('{limit}', String(Math.floor(maxUploadBytes / (1024 * 1024))))
        status = 413
      } else if (!file || file.content.length === 0) {
        error = s.noFile
        status = 400
      } else if (!messageLimiter.take(request.ip, new Date())) {
        error = s.checksLimited
        status = 429
      } else {
        try {
          assertLooksLikeEmail(file.content)
          result = await verifyUploadedEmail(file.content, { brand, language: ctx.lang, resolver, log })
          log.info({ verdict: result.verdict, bytes: file.content.length }, 'message verified')
          if (form.fields.report === 'yes' && result.verdict !== 'official') {
            if (reportLimiter.take(request.ip, new Date())) {
              const recorded = await recordPhishingReport(deps.store.db, brand, { raw: file.content, source: 'verifier', now: new Date() })
              log.info({ reportId: recorded.reportId, campaignId: recorded.campaignId }, 'phishing report recorded')
              notice = s.reported.replace('{brand}', brand.name)
              reported = true
            } else notice = s.reportLimited
          }
        } catch (err) {
          if (!(err instanceof NotAnEmailError)) throw err
          error = s.notEmail
          status = 400
        }
      }
      const body = renderVerifyBody(brand, ctx.lang, { result, checked: s.checkedEmail, error, notice, reported, maxUploadBytes })
      return sendPage(reply, ctx, renderPage(ctx, { title: s.title.replace('{brand}', brand.name), current: 'verify', body }), status)
    })
  }
}
