import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { html } from '../public/html.ts'
import { pageContext, renderNotice, renderPage, sendPage } from '../public/page.ts'
import type { ResolvedPublicOptions } from '../public/public-options.ts'
import type { AppDeps } from '../web/app.ts'
import { readSurveyToken, recordSurveyComment, recordSurveyRating, summarizeSurveys } from './survey.service.ts'

/** Ratings from the "solved" mail's links (shown on GET, recorded on POST), the optional comment, and the authenticated summary API. */
export function surveyRoutes(deps: AppDeps, options: ResolvedPublicOptions) {
  const invalid = (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = pageContext(request, deps.config)
    const body = html`<div class="errors" role="alert"><p>${ctx.t.survey.invalid}</p></div><p><a href="/contact">${ctx.t.nav.contact}</a></p>`
    return sendPage(reply, ctx, renderPage(ctx, { title: ctx.t.survey.title, body }), 404)
  }

  const thanksPage = (request: FastifyRequest, reply: FastifyReply, token: string, rating: number, commentSaved: boolean) => {
    const ctx = pageContext(request, deps.config)
    const { t } = ctx
    const body = html`${renderNotice(t.survey.thanks(rating))}
<ul class="ratings" aria-label="${t.survey.title}">
  ${[1, 2, 3, 4, 5].map((r) => html`<li><a class="button${r === rating ? '' : ' secondary'}" href="/survey/${token}/${r}"${r === rating ? html` aria-current="true"` : ''}>${r} · ${t.survey.ratings[r - 1] ?? ''}</a></li>`)}
</ul>
${commentSaved
  ? renderNotice(t.survey.commentSaved)
  : html`<form class="stack" method="post" action="/survey/${token}/comment">
  <input type="hidden" name="rating" value="${rating}">
  <div><label for="sv-comment">${t.survey.commentLabel}</label><textarea id="sv-comment" name="comment" maxlength="2000" rows="5"></textarea></div>
  <button type="submit">${t.survey.commentSubmit}</button>
</form>`}`
    return sendPage(reply, ctx, renderPage(ctx, { title: t.survey.title, body }))
  }

  const confirmPage = (request: FastifyRequest, reply: FastifyReply, token: string, rating: number) => {
    const ctx = pageContext(request, deps.config)
    const { t } = ctx
    const body = html`<form class="stack" method="post" action="/survey/${token}/${rating}">
  <p>${t.survey.confirm(rating)}</p>
  <button type="submit">${rating} · ${t.survey.ratings[rating - 1] ?? ''}</button>
</form>`
    return sendPage(reply, ctx, renderPage(ctx, { title: t.survey.title, body }))
  }

  return async function register(app: FastifyInstance): Promise<void> {
    const route = { config: { public: true }, schema: { hide: true } }

    // GET only shows the choice: mail scanners and link prefetchers open every link in a message, and a
    // rating recorded on GET would be whichever of the five links they fetched last. The button POSTs it.
    app.get<{ Params: { token: string; rating: string } }>('/survey/:token/:rating', route, async (request, reply) => {
      const ticketId = await readSurveyToken(deps.store.db, request.params.token, options.now())
      if (ticketId === undefined || !/^[1-5]$/.test(request.params.rating)) return invalid(request, reply)
      return confirmPage(request, reply, request.params.token, Number(request.params.rating))
    })

    app.post<{ Params: { token: string; rating: string } }>('/survey/:token/:rating', route, async (request, reply) => {
      const now = options.now()
      const ticketId = await readSurveyToken(deps.store.db, request.params.token, now)
      const rating = Number(request.params.rating)
      if (ticketId === undefined || !/^[1-5]$/.test(request.params.rating)) return invalid(request, reply)
      if (!(await recordSurveyRating(deps.store.db, ticketId, rating, now))) return invalid(request, reply)
      return thanksPage(request, reply, request.params.token, rating, false)
    })

    app.post<{ Params: { token: string } }>('/survey/:token/comment', route, async (request, reply) => {
      const now = options.now()
      const ticketId = await readSurveyToken(deps.store.db, request.params.token, now)
      const body = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {}
      const comment = typeof body.comment === 'string' ? body.comment.trim() : ''
      const rating = Number(body.rating)
      if (ticketId === undefined || !/^[1-5]$/.test(String(body.rating))) return invalid(request, reply)
      if (comment) await recordSurveyComment(deps.store.db, ticketId, comment, now)
      return thanksPage(request, reply, request.params.token, rating, true)
    })

    app.get<{ Querystring: { from?: string; to?: string } }>(
      '/api/v1/surveys/summary',
      {
        schema: {
          summary: 'Satisfaction survey results: count, average, distribution, CSAT share and recent comments',
          tags: ['surveys'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } },
          },
        },
      },
      async (request) => summarizeSurveys(deps.store.db, { from: request.query.from, to: request.query.to }),
    )
  }
}
