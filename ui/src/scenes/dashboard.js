import { get } from '../api.js'
import { h } from '../dom.js'
import { duration, t } from '../i18n.js'
import { barChart, gauge, horizontalBars } from '../components/charts.js'

export async function renderDashboard(main) {
  const d = await get('/dashboard?days=30')
  const short = (date) => date.slice(5)
  const minutes = (v) => (v === null ? t('dash.noData') : duration(v))
  const card = (title, ...content) => h('section', { class: 'card' }, h('h2', {}, title), ...content)
  main.append(h('div', { class: 'dashboard' },
    card(t('dash.volume'), barChart(d.volume.map((p) => ({ label: short(p.date), value: p.count })), { title: t('dash.volume') })),
    h('div', { class: 'stats' },
      card(t('dash.firstResponse'), h('p', { class: 'big' }, minutes(d.firstResponseMinutes.median)), h('p', { class: 'muted' }, t('dash.p90', { v: minutes(d.firstResponseMinutes.p90) }))),
      card(t('dash.resolution'), h('p', { class: 'big' }, minutes(d.resolutionMinutes.median)), h('p', { class: 'muted' }, t('dash.p90', { v: minutes(d.resolutionMinutes.p90) }))),
      card(t('dash.sla'), gauge(d.slaCompliance.ratio, { title: t('dash.sla') }), h('p', { class: 'muted' }, `${d.slaCompliance.met} / ${d.slaCompliance.met + d.slaCompliance.breached}`))),
    card(t('dash.categories'), horizontalBars(d.categories.map((c) => ({ label: t(`category.${c.category}`), value: c.count })), { title: t('dash.categories') })),
    card(t('dash.phishing'), barChart(d.phishingReports.map((p) => ({ label: short(p.date), value: p.count })), { title: t('dash.phishing'), cls: 'bar bar-danger' })),
  ))
  return () => {}
}
