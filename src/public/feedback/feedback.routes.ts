import type { FastifyInstance, FastifyReply } from 'fastify'
import { formatTicketNumber } from '../../tickets/ticket-number.ts'
import type { AppDeps } from '../../web/app.ts'
import { html } from '../html.ts'
import { pageContext, renderErrors, renderPage, sendPage, type PageContext } from '../page.ts'
import type { ResolvedPublicOptions } from '../public-options.ts'
import { readMultipartForm } from '../read-form.ts'
import { RateLimiter } from '../rate-limiter.ts'
import { getSigningKey } from '../signing-key.ts'
import { spoolFeedback, validateFeedback, waitForTicketId, type FeedbackInput } from './feedback.service.ts'
import { checkFormToken, isValidProofOfWork, issueFormToken } from './form-token.ts'
import { problemText } from './problem-text.ts'

const FORM = 'feedback'
const EMPTY: FeedbackInput = { name: '', email: '', subject: '', message: '' }

/** GET /feedback (the form) and POST /feedback (multipart → RFC 5322 message → spool, source 'form'). */
export function feedbackRoutes(deps: AppDeps, options: ResolvedPublicOptions) {
  const perIp = new RateLimiter(options.submissionsPerWindow, options.rateWindowMs)
  const perIpWithoutPow = new RateLimiter(options.submissionsWithoutPowPerWindow, options.rateWindowMs)
  const maxFileMb = Math.max(1, Math.floor(options.maxFileBytes / (1024 * 1024)))

  async function renderForm(reply: FastifyReply, ctx: PageContext, values: FeedbackInput, errors: Array<{ field: string; text: string }>, status: number) {
    const { t } = ctx
    const key = await getSigningKey(deps.store.db, 'form')
    const token = issueFormToken(key, FORM, options.now())
    const invalid = (field: string) => (errors.some((e) => e.field === field) ? html` aria-invalid="true"` : '')
    const described = (field: string, hint?: string) => {
      const ids = [hint, errors.some((e) => e.field === field) ? 'form-errors' : undefined].filter(Boolean).join(' ')
      return ids ? html` aria-describedby="${ids}"` : ''
    }
    const body = html`
<p class="lead">${t.feedback.intro}</p>
${renderErrors(t.feedback.errorsIntro, errors.map((e) => e.text))}
<form class="stack" method="post" action="/feedback" enctype="multipart/form-data" novalidate
  data-pow-bits="${options.powBits}" data-working="${t.feedback.working}">
  <input type="hidden" name="form_token" value="${token}">
  <input type="hidden" name="pow_nonce" value="">
  <div>
    <label for="fb-name">${t.feedback.name}</label>
    <input id="fb-name" type="text" name="name" autocomplete="name" required maxlength="100" value="${values.name}"${invalid('name')}${described('name')}>
  </div>
  <div>
    <label for="fb-email">${t.feedback.email}<span class="hint" id="fb-email-hint">${t.feedback.emailHint}</span></label>
    <input id="fb-email" type="email" name="email" autocomplete="email" required maxlength="254" value="${values.email}"${invalid('email')}${described('email', 'fb-email-hint')}>
  </div>
  <div class="hp" aria-hidden="true">
    <label for="fb-website">${t.feedback.honeypot}</label>
    <input id="fb-website" type="text" name="website" tabindex="-1" autocomplete="off" value="">
  </div>
  <div>
    <label for="fb-subject">${t.feedback.subject}</label>
    <input id="fb-subject" type="text" name="subject" required maxlength="200" value="${values.subject}"${invalid('subject')}${described('subject')}>
  </div>
  <div>
    <label for="fb-message">${t.feedback.message}<span class="hint" id="fb-message-hint">${t.feedback.messageHint}</span></label>
    <textarea id="fb-message" name="message" required maxlength="10000" rows="8"${invalid('message')}${described('message', 'fb-message-hint')}>${values.message}</textarea>
  </div>
  <div>
    <label for="fb-files">${t.feedback.attachments}<span class="hint" id="fb-files-hint">${t.feedback.attachmentsHint(options.maxFiles, maxFileMb)}</span></label>
    <input id="fb-files" type="file" name="attachments" multiple accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"${invalid('attachments')}${described('attachments', 'fb-files-hint')}>
  </div>
  <button type="submit">${t.feedback.submit}</button>
</form>`
    return sendPage(reply, ctx, renderPage(ctx, { title: t.feedback.title, current: 'feedback', body }), status)
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/feedback', { config: { public: true }, schema: { hide: true } }, async (request, reply) =>
      renderForm(reply, pageContext(request, deps.config), EMPTY, [], 200),
    )

    app.post('/feedback', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const ctx = pageContext(request, deps.config)
      const { t } = ctx
      const now = options.now()
      const form = await readMultipartForm(request, { maxFiles: options.maxFiles, maxFileBytes: options.maxFileBytes })
      const f = form.fields
      const values: FeedbackInput = { name: f.name ?? '', email: f.email ?? '', subject: f.subject ?? '', message: f.message ?? '' }
      const fail = (status: number, text: string, field = 'form') => renderForm(reply, ctx, values, [{ field, text }], status)

      if (form.limitBroken === 'malformed') return fail(400, t.errors.formInvalid)
      if (form.limitBroken) return fail(413, form.limitBroken === 'too_many_files' ? t.errors.tooManyFiles(options.maxFiles) : t.errors.bodyTooLarge, 'attachments')
      // A filled honeypot is a bot that fills every field; it gets the same answer as a forged form.
      if (f.website) return fail(400, t.errors.formInvalid)
      const key = await getSigningKey(deps.store.db, 'form')
      const token = f.form_token ?? ''
      const tokenCheck = checkFormToken(key, FORM, token, now, options.formToken)
      if (tokenCheck === 'too_fast') return fail(400, t.errors.tooFast)
      if (tokenCheck === 'expired') return fail(400, t.errors.formExpired)
      if (tokenCheck !== 'ok') return fail(400, t.errors.formInvalid)
      const hasPow = options.powBits === 0 || isValidProofOfWork(token, f.pow_nonce ?? '', options.powBits)
      if (!perIp.take(request.ip, now) || (!hasPow && !perIpWithoutPow.take(request.ip, now))) {
        request.log.warn({ form: FORM }, 'form rate limit reached')
        return fail(429, t.errors.rateLimited)
      }

      const labels = { name: t.feedback.name, email: t.feedback.email, subject: t.feedback.subject, message: t.feedback.message }
      const checked = validateFeedback(values, form.files, { maxFiles: options.maxFiles, maxFileBytes: options.maxFileBytes })
      if (checked.problems.length > 0) {
        const maxFileMb = Math.max(1, Math.floor(options.maxFileBytes / (1024 * 1024)))
        return renderForm(reply, ctx, values, checked.problems.map((p) => ({ field: p.field, text: problemText(t, p, labels, maxFileMb) })), 400)
      }

      const rawMessageId = await spoolFeedback(deps.spool, deps.config.brand, {
        value: checked.value,
        uploads: checked.uploads,
        language: ctx.lang,
        remoteAddress: request.ip,
        now,
      })
      deps.onSpooled?.()
      request.log.info({ rawMessageId, attachments: checked.uploads.length }, 'feedback form spooled')
      const ticketId = await waitForTicketId(deps.store.db, rawMessageId, options.ticketWaitMs)
      const number = ticketId === undefined ? undefined : formatTicketNumber(deps.config.brand.ticketPrefix, ticketId)
      const body = html`<div class="notice" role="status">
  <p>${number ? t.feedback.sentWithNumber(number) : t.feedback.sentPending}</p>
</div>
${number ? html`<p>${t.feedback.sentNext} <strong class="ticket-number">${number}</strong></p>` : ''}
<p><a href="/status">${t.nav.status}</a> · <a href="/help">${t.nav.help}</a></p>`
      return sendPage(reply, ctx, renderPage(ctx, { title: t.feedback.sentTitle, current: 'feedback', body }), 201)
    })
  }
}
