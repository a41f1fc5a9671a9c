import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Brand, Language } from '../brand.ts'
import type { Config } from '../config.ts'
import { html, type SafeHtml } from './html.ts'
import { LANGUAGE_COOKIE, languageCookie, pickLanguage, readCookie } from './language.ts'
import { publicStrings, type PublicStrings } from './public-strings.ts'

/**
 * Public pages load nothing from elsewhere and run no inline script: only our own stylesheet and script,
 * same-origin fetches and WebSockets, forms that post back to us, and no framing (clickjacking).
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

export interface PageContext {
  lang: Language
  t: PublicStrings
  brand: Brand
  /** Path and query of this request, to build the language switch. */
  url: string
  /** Set when `?lang=` chose a language that must be remembered. */
  rememberLanguage: boolean
}

/** Language and strings for a public page request. */
export function pageContext(request: FastifyRequest, config: Config): PageContext {
  const query = new URL(request.url, 'http://x').searchParams.get('lang') ?? undefined
  const cookie = readCookie(request.headers.cookie, LANGUAGE_COOKIE)
  const lang = pickLanguage(
    { query, cookie, acceptLanguage: request.headers['accept-language'] },
    config.brand.languages,
    config.brand.defaultLanguage,
  )
  return { lang, t: publicStrings(lang), brand: config.brand, url: request.url, rememberLanguage: query !== undefined && query === lang && cookie !== lang }
}

function switchUrl(url: string, lang: Language): string {
  const u = new URL(url, 'http://x')
  u.searchParams.set('lang', lang)
  return `${u.pathname}${u.search}`
}

export type NavKey = 'contact' | 'help' | 'feedback' | 'status' | 'verify'

const NAV: Array<{ key: NavKey; href: string }> = [
  { key: 'contact', href: '/contact' },
  { key: 'help', href: '/help' },
  { key: 'feedback', href: '/feedback' },
  { key: 'status', href: '/status' },
  { key: 'verify', href: '/verify' },
]

/** The whole document: skip link, header with navigation and language switch, main, footer, chat widget. */
export function renderPage(ctx: PageContext, options: { title: string; current?: NavKey; body: SafeHtml; chat?: boolean }): string {
  const { t, lang, brand } = ctx
  const other: Language = lang === 'en' ? 'zh-CN' : 'en'
  const chatStrings = JSON.stringify({ ...t.chat, supportAddress: brand.addresses.support, lang })
  const doc = html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${brand.name}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/public/assets/site.css">
<script src="/public/assets/site.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${t.skipToContent}</a>
<header class="site-header">
  <div class="bar">
    <a class="brand" href="/contact">${brand.name}</a>
    <a class="lang-switch" href="${switchUrl(ctx.url, other)}" lang="${other}" hreflang="${other}" aria-label="${t.switchToLabel}">${t.switchTo}</a>
  </div>
  <nav aria-label="${brand.name}">
    <ul>
      ${NAV.map(
        (n) => html`<li><a href="${n.href}"${n.key === options.current ? html` aria-current="page"` : ''}>${t.nav[n.key]}</a></li>`,
      )}
    </ul>
  </nav>
</header>
<main id="main" tabindex="-1">
<h1>${options.title}</h1>
${options.body}
</main>
<footer class="site-footer">
  <p>${t.footerReminder(brand.name)} <a href="/verify">${t.nav.verify}</a></p>
  <p>© ${brand.legalName[lang]}</p>
</footer>
${options.chat === false ? '' : html`<div id="chat" class="chat" data-strings="${chatStrings}"></div>`}
</body>
</html>
`
  return doc.value
}

/** Sends a page with the security headers every public page carries. */
export function sendPage(reply: FastifyReply, ctx: PageContext, page: string, status = 200): FastifyReply {
  if (ctx.rememberLanguage) void reply.header('set-cookie', languageCookie(ctx.lang))
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    // Portal links carry secrets in the URL; no page of ours tells another site where the visitor came from.
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .header('content-language', ctx.lang)
    .send(page)
}

/** A list of problems shown at the top of a form, announced to screen readers. */
export function renderErrors(intro: string, errors: string[]): SafeHtml {
  if (errors.length === 0) return html``
  return html`<div class="errors" role="alert" tabindex="-1" id="form-errors"><p>${intro}</p><ul>${errors.map((e) => html`<li>${e}</li>`)}</ul></div>`
}

/** A confirmation banner. */
export function renderNotice(text: string): SafeHtml {
  return html`<div class="notice" role="status"><p>${text}</p></div>`
}
