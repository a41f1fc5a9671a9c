import { get } from '../api.js'
import { h } from '../dom.js'
import { formatDate, t } from '../i18n.js'

/** Phishing campaigns for the security team: reports grouped by what they share, newest first, and a CSV export. */
export async function renderPhishing(main) {
  const { campaigns } = await get('/phishing/campaigns?limit=200')
  const domains = (list) => (list.length ? list.join(', ') : '—')
  main.append(h('div', { class: 'list phishing' },
    h('div', { class: 'list-head' },
      h('h1', {}, t('phishing.title')),
      h('a', { href: '/api/v1/phishing/campaigns?format=csv', download: 'phishing-campaigns.csv', id: 'phishing-csv' }, t('phishing.csv'))),
    campaigns.length === 0
      ? h('p', { class: 'muted empty' }, t('phishing.none'))
      : h('table', { class: 'tickets', id: 'phishing-campaigns' },
          h('thead', {}, h('tr', {}, ['phishing.reports', 'phishing.subject', 'phishing.senders', 'phishing.links', 'phishing.firstSeen', 'phishing.lastSeen'].map((k) => h('th', {}, t(k))))),
          h('tbody', {}, campaigns.map((c) => h('tr', { class: 'campaign-row', 'data-campaign': c.id },
            h('td', { class: 'count' }, String(c.reportCount)),
            h('td', { class: 'subject' }, c.sampleSubject ?? ''),
            h('td', {}, domains(c.senderDomains)),
            h('td', {}, domains(c.linkDomains)),
            h('td', { class: 'muted' }, formatDate(c.firstSeenAt)),
            h('td', { class: 'muted' }, formatDate(c.lastSeenAt)))))),
  ))
  return () => {}
}
