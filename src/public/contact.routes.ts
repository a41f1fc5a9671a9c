import type { FastifyInstance } from 'fastify'
import type { Language } from '../brand.ts'
import type { AppDeps } from '../web/app.ts'
import { html } from './html.ts'
import { listOfficialChannels } from './official-channels.ts'
import { pageContext, renderPage, sendPage } from './page.ts'

export interface ContactRouteOptions {
  /** The clock that decides whether a hotline is open; tests pass a fixed one. */
  now?: () => Date
}

const channelsSchema = {
  type: 'object',
  properties: {
    brand: { type: 'string' },
    language: { type: 'string', enum: ['zh-CN', 'en'] },
    officialDomains: { type: 'array', items: { type: 'string' } },
    website: { type: 'string' },
    addresses: {
      type: 'array',
      items: { type: 'object', properties: { purpose: { type: 'string' }, address: { type: 'string' }, description: { type: 'string' } } },
    },
    hotlines: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          number: { type: 'string' },
          label: { type: 'string' },
          hours: { type: 'string' },
          timeZone: { type: 'string' },
          timeZoneName: { type: 'string' },
          openNow: { type: 'boolean' },
        },
      },
    },
    liveChat: { type: 'object', properties: { url: { type: 'string' } } },
    feedbackForm: { type: 'object', properties: { url: { type: 'string' } } },
    social: {
      type: 'array',
      items: { type: 'object', properties: { network: { type: 'string' }, networkName: { type: 'string' }, handle: { type: 'string' }, url: { type: 'string' } } },
    },
    verifierUrl: { type: 'string' },
    neverAskFor: { type: 'array', items: { type: 'string' } },
  },
} as const

/** GET /contact and GET /api/v1/official-channels: every official channel from the brand config. */
export function contactRoutes(deps: AppDeps, options: ContactRouteOptions = {}) {
  const now = options.now ?? (() => new Date())
  return async function register(app: FastifyInstance): Promise<void> {
    app.get<{ Querystring: { lang?: Language } }>(
      '/api/v1/official-channels',
      {
        config: { public: true },
        schema: {
          summary: 'Every official channel (addresses by purpose, hotlines with hours and open-now, chat, social, form)',
          tags: ['public'],
          querystring: { type: 'object', properties: { lang: { type: 'string', enum: ['zh-CN', 'en'] } } },
          response: { 200: channelsSchema },
        },
      },
      async (request) => {
        const ctx = pageContext(request, deps.config)
        return listOfficialChannels(deps.config.brand, ctx.lang, now(), deps.config.publicUrl)
      },
    )

    // The site's front door: someone who types the bare address lands on the page the brand name in every header links to.
    app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/contact'))

    app.get('/contact', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const ctx = pageContext(request, deps.config)
      const { t, brand } = ctx
      const c = listOfficialChannels(brand, ctx.lang, now(), deps.config.publicUrl)
      const alwaysOpen = brand.hotlines.findIndex((h) => h.hours.days.length === 7 && h.hours.start === '00:00' && h.hours.end === '24:00')
      const urgent = alwaysOpen >= 0 ? c.hotlines[alwaysOpen] : undefined
      const body = html`
<p class="lead">${t.contact.intro(brand.name)}</p>
${urgent
  ? html`<section class="card urgent" aria-labelledby="urgent-h"><h2 id="urgent-h">${t.contact.urgentHeading}</h2>
<p>${t.contact.urgentText} <a class="tel" href="tel:${urgent.number.replace(/[^+\d]/g, '')}">${urgent.number}</a></p></section>`
  : ''}
<section class="card" aria-labelledby="email-h">
  <h2 id="email-h">${t.contact.emailHeading}</h2>
  <dl class="channels">
    ${c.addresses.map((a) => html`<dt><a href="mailto:${a.address}" data-purpose="${a.purpose}">${a.address}</a></dt><dd>${a.description}</dd>`)}
  </dl>
</section>
<section class="card" aria-labelledby="phone-h">
  <h2 id="phone-h">${t.contact.hotlineHeading}</h2>
  <ul class="hotlines">
    ${c.hotlines.map(
      (h) => html`<li><span class="label">${h.label}</span>
      <a class="tel" href="tel:${h.number.replace(/[^+\d]/g, '')}">${h.number}</a>
      <span class="hours">${h.hours}</span>
      <span class="${h.openNow ? 'badge open' : 'badge closed'}">${h.openNow ? t.contact.openNow : t.contact.closedNow}</span></li>`,
    )}
  </ul>
  <p class="small">${t.contact.hoursIn(c.hotlines[0]?.timeZoneName ?? brand.businessHours.timeZone)}</p>
</section>
<section class="card" aria-labelledby="chat-h">
  <h2 id="chat-h">${t.contact.chatHeading}</h2>
  <p>${t.contact.chatText}</p>
</section>
<section class="card" aria-labelledby="form-h">
  <h2 id="form-h">${t.contact.formHeading}</h2>
  <p>${t.contact.formText} <a href="/feedback">${t.contact.formLink}</a></p>
</section>
<section class="card" aria-labelledby="social-h">
  <h2 id="social-h">${t.contact.socialHeading}</h2>
  <ul class="social">${c.social.map((s) => html`<li><span class="network">${s.networkName}</span> <a href="${s.url}" rel="noopener">${s.handle}</a></li>`)}</ul>
</section>
<section class="card" aria-labelledby="domains-h">
  <h2 id="domains-h">${t.contact.domainsHeading}</h2>
  <p>${t.contact.domainsText(c.officialDomains.join(', '))}</p>
</section>
<section class="card warning" aria-labelledby="never-h">
  <h2 id="never-h">${t.contact.neverHeading}</h2>
  <ul>${c.neverAskFor.map((n) => html`<li>${n}</li>`)}</ul>
  <p>${t.contact.verifyText} <a href="/verify">${t.contact.verifyLink}</a></p>
</section>`
      return sendPage(reply, ctx, renderPage(ctx, { title: t.contact.title, current: 'contact', body }))
    })
  }
}
