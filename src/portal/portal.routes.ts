import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { findCustomerById } from '../customers/customer.repository.ts'
import { findAntiPhishingCode, setAntiPhishingCode, validateAntiPhishingCode } from '../notify/anti-phishing-code.ts'
import { createMailTransport, type MailTransport } from '../notify/mail-transport.ts'
import { checkUploads, waitForTicketId, type FieldProblem } from '../public/feedback/feedback.service.ts'
import { problemText } from '../public/feedback/problem-text.ts'
import { html, type SafeHtml } from '../public/html.ts'
import { readCookie } from '../public/language.ts'
import { pageContext, renderErrors, renderNotice, renderPage, sendPage, type PageContext } from '../public/page.ts'
import type { ResolvedPublicOptions } from '../public/public-options.ts'
import { readMultipartForm } from '../public/read-form.ts'
import { RateLimiter } from '../public/rate-limiter.ts'
import { getSigningKey, isValidSignature, signPayload } from '../public/signing-key.ts'
import type { AppDeps } from '../web/app.ts'
import {
  closeTicketFromPortal,
  createPortalLinkIfMatching,
  exchangePortalLink,
  findPortalAccess,
  isPortalLinkValid,
  loadPortalTicket,
  spoolPortalReply,
  type PortalAccess,
} from './portal.service.ts'
import { sendPortalLinkMail } from './portal-mail.ts'

const SESSION_COOKIE = 'md_portal'
type Done = 'reply' | 'closed' | 'code'

/** The status portal: lookup → one-time link by mail → a short session on that one ticket. */
export function portalRoutes(deps: AppDeps, options: ResolvedPublicOptions) {
  const perIp = new RateLimiter(options.statusLookupsPerWindow, options.rateWindowMs)
  // However many addresses ask, one ticket's customer gets at most a few link mails per window.
  const perTicket = new RateLimiter(3, options.rateWindowMs)
  const maxFileMb = Math.max(1, Math.floor(options.maxFileBytes / (1024 * 1024)))
  const secure = deps.config.publicUrl.startsWith('https:')
  let transport: MailTransport | undefined = options.mailTransport ?? deps.transport

  const sessionCookie = (token: string, maxAgeS: number) =>
    `${SESSION_COOKIE}=${token}; Path=/status; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`

  function lookupForm(ctx: PageContext, values: { ticket: string; email: string }): SafeHtml {
    const { t } = ctx
    return html`<form class="stack" method="post" action="/status" novalidate>
  <div>
    <label for="st-ticket">${t.status.ticketNumber}<span class="hint" id="st-ticket-hint">${t.status.ticketHint}</span></label>
    <input id="st-ticket" type="text" name="ticket" required maxlength="32" autocomplete="off" value="${values.ticket}" aria-describedby="st-ticket-hint">
  </div>
  <div>
    <label for="st-email">${t.status.email}</label>
    <input id="st-email" type="email" name="email" required maxlength="254" autocomplete="email" value="${values.email}">
  </div>
  <div class="hp" aria-hidden="true"><label for="st-website">${t.feedback.honeypot}</label><input id="st-website" type="text" name="website" tabindex="-1" autocomplete="off" value=""></div>
  <button type="submit">${t.status.submit}</button>
</form>`
  }

  function lookupPage(reply: FastifyReply, ctx: PageContext, top: SafeHtml, values = { ticket: '', email: '' }, status = 200) {
    const body = html`${top}<p class="lead">${ctx.t.status.intro}</p>${lookupForm(ctx, values)}`
    return sendPage(reply, ctx, renderPage(ctx, { title: ctx.t.status.title, current: 'status', body }), status)
  }

  async function csrfFor(sessionToken: string): Promise<string> {
    return signPayload(await getSigningKey(deps.store.db, 'csrf'), sessionToken)
  }

  /** The session of this request, or undefined after answering with the "session ended" page. */
  async function requireSession(request: FastifyRequest, reply: FastifyReply, csrf?: string): Promise<{ access: PortalAccess; token: string } | undefined> {
    const token = readCookie(request.headers.cookie, SESSION_COOKIE)
    const access = await findPortalAccess(deps.store.db, token, options.now())
    const csrfOk = csrf === undefined || (token !== undefined && isValidSignature(await getSigningKey(deps.store.db, 'csrf'), token, csrf))
    if (!access || !token || !csrfOk) {
      const ctx = pageContext(request, deps.config)
      await lookupPage(reply, ctx, html`<div class="errors" role="alert"><p>${ctx.t.status.sessionExpired}</p></div>`, undefined, 401)
      return undefined
    }
    return { access, token }
  }

  async function ticketPage(request: FastifyRequest, reply: FastifyReply, session: { access: PortalAccess; token: string }, extra: { done?: Done | undefined; errors?: string[]; replyText?: string; status?: number }) {
    const ctx = pageContext(request, deps.config)
    const { t } = ctx
    const ticket = await loadPortalTicket(deps.store.db, deps.config.brand, session.access)
    if (!ticket) return lookupPage(reply, ctx, html`<div class="errors" role="alert"><p>${t.status.sessionExpired}</p></div>`, undefined, 401)
    const code = await findAntiPhishingCode(deps.store.db, session.access.customerId)
    const csrf = await csrfFor(session.token)
    const notice = extra.done === 'reply' ? t.status.replySent : extra.done === 'closed' ? t.status.closed : extra.done === 'code' ? t.status.codeSaved : undefined
    const locale = ctx.lang === 'en' ? 'en-GB' : 'zh-CN'
    const when = (iso: string) =>
      new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: deps.config.brand.businessHours.timeZone }).format(new Date(iso))
    const body = html`
${notice ? renderNotice(notice) : ''}
${renderErrors(t.feedback.errorsIntro, extra.errors ?? [])}
<p><strong>${ticket.number}</strong> · ${ticket.subject}</p>
<p>${t.status.statusLabel}: <strong class="ticket-status">${t.status.statusNames[ticket.status] ?? ticket.status}</strong></p>
<section aria-labelledby="thread-h">
  <h2 id="thread-h">${t.status.threadHeading}</h2>
  <ol class="thread">
    ${ticket.messages.map(
      (m) => html`<li class="${m.direction}"><p class="meta">${m.direction === 'inbound' ? t.status.from.inbound : t.status.from.outbound} · <time datetime="${m.at}">${when(m.at)}</time></p><div class="body">${m.text.trim()}</div></li>`,
    )}
  </ol>
</section>
<section class="card" aria-labelledby="reply-h">
  <h2 id="reply-h">${t.status.replyHeading}</h2>
  <form class="stack" method="post" action="/status/ticket/reply" enctype="multipart/form-data">
    <input type="hidden" name="csrf" value="${csrf}">
    <div><label for="pt-reply">${t.status.replyLabel}</label>
      <textarea id="pt-reply" name="text" required maxlength="10000" rows="6">${extra.replyText ?? ''}</textarea></div>
    <div><label for="pt-files">${t.status.replyAttach}<span class="hint" id="pt-files-hint">${t.feedback.attachmentsHint(options.maxFiles, maxFileMb)}</span></label>
      <input id="pt-files" type="file" name="attachments" multiple aria-describedby="pt-files-hint" accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"></div>
    <button type="submit">${t.status.replySubmit}</button>
  </form>
</section>
<section class="card" aria-labelledby="code-h">
  <h2 id="code-h">${t.status.codeHeading}</h2>
  <p>${t.status.codeText(deps.config.brand.name)}</p>
  <p>${code ? t.status.codeCurrent(code) : t.status.codeNone}</p>
  <form class="stack" method="post" action="/status/ticket/code">
    <input type="hidden" name="csrf" value="${csrf}">
    <div><label for="pt-code">${t.status.codeLabel}<span class="hint" id="pt-code-hint">${t.status.codeHint}</span></label>
      <input id="pt-code" type="text" name="code" required minlength="4" maxlength="32" autocomplete="off" aria-describedby="pt-code-hint"></div>
    <button type="submit">${t.status.codeSubmit}</button>
  </form>
</section>
${ticket.status === 'closed'
  ? ''
  : html`<section class="card" aria-labelledby="close-h">
  <h2 id="close-h">${t.status.closeHeading}</h2>
  <p>${t.status.closeText}</p>
  <form method="post" action="/status/ticket/close"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="secondary">${t.status.closeSubmit}</button></form>
</section>`}`
    return sendPage(reply, ctx, renderPage(ctx, { title: t.status.title, current: 'status', body }), extra.status ?? 200)
  }

  const field = (body: unknown, name: string): string => {
    if (typeof body !== 'object' || body === null) return ''
    const value: unknown = (body as Record<string, unknown>)[name]
    return typeof value === 'string' ? value : ''
  }

  // Link mail still being written; shutdown waits for it.
  const pendingMail = new Set<Promise<unknown>>()

  return async function register(app: FastifyInstance): Promise<void> {
    const route = { config: { public: true }, schema: { hide: true } }

    app.get('/status', route, async (request, reply) => lookupPage(reply, pageContext(request, deps.config), html``))

    app.post('/status', route, async (request, reply) => {
      const ctx = pageContext(request, deps.config)
      const now = options.now()
      const values = { ticket: field(request.body, 'ticket').trim().slice(0, 32), email: field(request.body, 'email').trim().slice(0, 254) }
      if (!perIp.take(request.ip, now)) {
        return lookupPage(reply, ctx, html`<div class="errors" role="alert"><p>${ctx.t.errors.rateLimited}</p></div>`, values, 429)
      }
      const sent = renderNotice(ctx.t.status.sent)
      // Same page, same status, whether or not anything matched; the mail goes out after the answer.
      if (field(request.body, 'website') || !values.ticket || !values.email || !perTicket.take(values.ticket.toUpperCase(), now)) {
        return lookupPage(reply, ctx, sent, { ticket: '', email: '' })
      }
      const link = await createPortalLinkIfMatching(deps.store.db, deps.config.brand, { ticketNumber: values.ticket, email: values.email, now, ttlMs: options.portalLinkTtlMs })
      if (link) {
        transport ??= createMailTransport(deps.config, deps.log)
        const mail = sendPortalLinkMail(deps.store.db, transport, deps.config, {
          ticketId: link.ticketId,
          customerId: link.customerId,
          to: link.email,
          token: link.token,
          language: ctx.lang,
          ttlMs: options.portalLinkTtlMs,
          now,
        }).catch((err: unknown) => request.log.error({ err, ticketId: link.ticketId }, 'status link mail failed'))
        pendingMail.add(mail)
        void mail.finally(() => pendingMail.delete(mail))
      }
      return lookupPage(reply, ctx, sent, { ticket: '', email: '' })
    })

    app.addHook('onClose', async () => {
      await Promise.all([...pendingMail])
      // Only a transport created here is ours to close.
      if (transport && transport !== options.mailTransport && transport !== deps.transport) transport.close()
    })

    const invalidLink = (request: FastifyRequest, reply: FastifyReply) => {
      const ctx = pageContext(request, deps.config)
      return lookupPage(reply, ctx, html`<div class="errors" role="alert"><p>${ctx.t.status.linkInvalid}</p></div>`, undefined, 404)
    }

    // GET only confirms: mail scanners that fetch every link must not burn the customer's one-time link.
    app.get<{ Params: { token: string } }>('/status/open/:token', route, async (request, reply) => {
      if (!(await isPortalLinkValid(deps.store.db, request.params.token, options.now()))) return invalidLink(request, reply)
      const ctx = pageContext(request, deps.config)
      const body = html`<p>${ctx.t.status.openText}</p><form method="post" action="/status/open"><input type="hidden" name="token" value="${request.params.token}"><button type="submit" id="open-ticket">${ctx.t.status.openButton}</button></form>`
      return sendPage(reply, ctx, renderPage(ctx, { title: ctx.t.status.title, current: 'status', body }))
    })

    app.post('/status/open', route, async (request, reply) => {
      const exchanged = await exchangePortalLink(deps.store.db, field(request.body, 'token'), options.now(), options.portalSessionTtlMs)
      if (!exchanged) return invalidLink(request, reply)
      return reply
        .header('set-cookie', sessionCookie(exchanged.sessionToken, Math.floor(options.portalSessionTtlMs / 1000)))
        .header('referrer-policy', 'no-referrer')
        .redirect('/status/ticket', 303)
    })

    app.get<{ Querystring: { done?: string } }>('/status/ticket', route, async (request, reply) => {
      const session = await requireSession(request, reply)
      if (!session) return reply
      const done = ['reply', 'closed', 'code'].find((d): d is Done => d === request.query.done)
      return ticketPage(request, reply, session, { done })
    })

    app.post('/status/ticket/reply', route, async (request, reply) => {
      // No upload is read for a request without a live session.
      if (!(await findPortalAccess(deps.store.db, readCookie(request.headers.cookie, SESSION_COOKIE), options.now()))) {
        const ctx = pageContext(request, deps.config)
        return lookupPage(reply, ctx, html`<div class="errors" role="alert"><p>${ctx.t.status.sessionExpired}</p></div>`, undefined, 401)
      }
      const form = await readMultipartForm(request, { maxFiles: options.maxFiles, maxFileBytes: options.maxFileBytes })
      const session = await requireSession(request, reply, form.fields.csrf ?? '')
      if (!session) return reply
      const ctx = pageContext(request, deps.config)
      const { t } = ctx
      const text = (form.fields.text ?? '').trim()
      const problems: FieldProblem[] = []
      if (form.limitBroken === 'too_many_files') problems.push({ field: 'attachments', kind: 'too_many_files', max: options.maxFiles })
      if (!text) problems.push({ field: 'text', kind: 'required' })
      else if (text.length > 10_000) problems.push({ field: 'text', kind: 'too_long', max: 10_000 })
      const uploads = form.limitBroken ? [] : checkUploads(problems, form.files, { maxFiles: options.maxFiles, maxFileBytes: options.maxFileBytes })
      // A broken limit is always an answer of its own: never a reply sent without the files the customer chose.
      if (problems.length > 0 || form.limitBroken) {
        const errors = problems.map((p) => problemText(t, p, { text: t.status.replyLabel }, maxFileMb))
        if (form.limitBroken === 'too_large') errors.unshift(t.errors.bodyTooLarge)
        if (form.limitBroken === 'malformed') errors.unshift(t.errors.formInvalid)
        return ticketPage(request, reply, session, { errors, replyText: form.fields.text ?? '', status: form.limitBroken === 'too_large' || form.limitBroken === 'too_many_files' ? 413 : 400 })
      }
      const now = options.now()
      const rawMessageId = await spoolPortalReply(deps.store.db, deps.spool, deps.config.brand, {
        access: session.access,
        text,
        uploads,
        language: ctx.lang,
        remoteAddress: request.ip,
        now,
      })
      deps.onSpooled?.()
      if (rawMessageId !== undefined) await waitForTicketId(deps.store.db, rawMessageId, options.ticketWaitMs)
      return reply.redirect('/status/ticket?done=reply', 303)
    })

    app.post('/status/ticket/close', route, async (request, reply) => {
      const session = await requireSession(request, reply, field(request.body, 'csrf'))
      if (!session) return reply
      await closeTicketFromPortal(deps.store.db, session.access, options.now())
      return reply.redirect('/status/ticket?done=closed', 303)
    })

    app.post('/status/ticket/code', route, async (request, reply) => {
      const session = await requireSession(request, reply, field(request.body, 'csrf'))
      if (!session) return reply
      const ctx = pageContext(request, deps.config)
      let code: string
      try {
        code = validateAntiPhishingCode(field(request.body, 'code'))
      } catch {
        return ticketPage(request, reply, session, { errors: [ctx.t.errors.code], status: 400 })
      }
      const customer = await findCustomerById(deps.store.db, session.access.customerId)
      if (customer) await setAntiPhishingCode(deps.store.db, customer.email, code, options.now())
      return reply.redirect('/status/ticket?done=code', 303)
    })
  }
}
