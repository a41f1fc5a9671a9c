import type { FastifyInstance } from 'fastify'
import { html, trustedHtml } from '../public/html.ts'
import { pageContext, renderPage, sendPage } from '../public/page.ts'
import type { AppDeps } from '../web/app.ts'
import { DEFAULT_HELP_DIR, loadHelpArticles, searchHelpArticles, type HelpArticle } from './help-articles.ts'
import { renderMarkdown } from './render-markdown.ts'

const MAX_QUERY_CHARS = 200

/** GET /help (list and ?q= search) and GET /help/:slug, from the Markdown files under help/. */
export function helpRoutes(deps: AppDeps, helpDir: string = DEFAULT_HELP_DIR) {
  // Read once at start: articles ship with the release, and a request never touches the disk.
  const articles = loadHelpArticles(deps.config.brand, helpDir)
  const rendered = new Map<HelpArticle, string>(articles.map((a) => [a, renderMarkdown(a.markdown.replace(/^\s*#\s+[^\n]*\n/, ''))]))

  return async function register(app: FastifyInstance): Promise<void> {
    app.get<{ Querystring: { q?: string } }>('/help', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const ctx = pageContext(request, deps.config)
      const { t } = ctx
      const q = typeof request.query.q === 'string' ? request.query.q.trim().slice(0, MAX_QUERY_CHARS) : ''
      const list = q ? searchHelpArticles(articles, ctx.lang, q) : articles.filter((a) => a.language === ctx.lang)
      const body = html`
<p class="lead">${t.help.intro}</p>
<form class="search" role="search" method="get" action="/help">
  <label class="visually-hidden" for="help-q">${t.help.searchLabel}</label>
  <input id="help-q" type="search" name="q" value="${q}" maxlength="${MAX_QUERY_CHARS}">
  <button type="submit">${t.help.searchButton}</button>
</form>
${q ? html`<p role="status">${list.length > 0 ? t.help.resultsFor(q, list.length) : t.help.noResults(q)}</p>` : ''}
${q && list.length === 0 ? html`<p><a href="/feedback">${t.nav.feedback}</a> · <a href="/help">${t.help.allArticles}</a></p>` : ''}
<ul class="articles">
  ${list.map((a) => html`<li><a href="/help/${a.slug}">${a.title}</a><p>${a.summary}</p></li>`)}
</ul>
${q && list.length > 0 ? html`<p><a href="/help">${t.help.allArticles}</a></p>` : ''}`
      return sendPage(reply, ctx, renderPage(ctx, { title: t.help.title, current: 'help', body }))
    })

    app.get<{ Params: { slug: string } }>('/help/:slug', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const ctx = pageContext(request, deps.config)
      const { t } = ctx
      const article = articles.find((a) => a.slug === request.params.slug && a.language === ctx.lang)
      if (!article) {
        const body = html`<p>${t.help.notFound}</p><p><a href="/help">${t.help.backToHelp}</a></p>`
        return sendPage(reply, ctx, renderPage(ctx, { title: t.help.title, current: 'help', body }), 404)
      }
      const body = html`<article class="help">${trustedHtml(rendered.get(article) ?? '')}</article>
<p><a href="/help">${t.help.backToHelp}</a></p>`
      return sendPage(reply, ctx, renderPage(ctx, { title: article.title, current: 'help', body }))
    })
  }
}
