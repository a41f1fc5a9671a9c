import { get, post } from '../api.js'
import { h } from '../dom.js'
import { t } from '../i18n.js'
import { setSceneKeys } from '../components/shortcuts.js'
import { ticketTable } from '../components/ticket-table.js'
import { onLiveEvent } from '../stores/live.js'
import { session } from '../stores/session.js'

const VIEWS = ['new', 'mine', 'unassigned', 'overdue', 'pending', 'solved', 'all']

export async function renderInbox(main, view, params) {
  if (!VIEWS.includes(view)) view = 'new'
  const sort = params.get('sort') ?? 'due'
  const [counts, page] = await Promise.all([get('/views'), get(`/views/${view}/tickets?sort=${encodeURIComponent(sort)}&limit=100`)])
  const sidebar = h('aside', { class: 'views' }, counts.views.map((v) =>
    h('a', { href: `#/view/${v.name}`, class: v.name === view ? 'active' : '', 'data-view': v.name }, h('span', {}, t(`view.${v.name}`)), h('span', { class: 'count' }, v.count))))
  const table = ticketTable(page.tickets, { onOpen: (ticket) => (location.hash = `#/ticket/${ticket.number}`) })
  const selectedLabel = h('span', { class: 'selected-count' })
  const bulk = async (changes) => {
    if (table.selected.size === 0) return
    await post('/tickets/bulk', { tickets: [...table.selected], changes })
    window.dispatchEvent(new HashChangeEvent('hashchange'))
  }
  const bulkBar = h('div', { class: 'bulk-bar', hidden: true },
    selectedLabel,
    h('button', { id: 'bulk-assign-me', onclick: () => bulk({ assigneeAgentId: session.agent.id }) }, t('bulk.assignMe')),
    h('button', { id: 'bulk-pending', onclick: () => bulk({ status: 'pending' }) }, t('bulk.pending')),
    h('button', { id: 'bulk-solve', onclick: () => bulk({ status: 'solved' }) }, t('bulk.solve')),
    h('button', { onclick: () => bulk({ status: 'open' }) }, t('bulk.open')),
  )
  table.element.addEventListener('selectionchange', () => {
    bulkBar.hidden = table.selected.size === 0
    selectedLabel.textContent = t('list.selected', { n: table.selected.size })
  })
  const sortSelect = h('select', { id: 'sort', onchange: (e) => (location.hash = `#/view/${view}?sort=${e.target.value}`) },
    ['due', 'updated', 'newest', 'oldest'].map((s) => h('option', { value: s, selected: s === sort }, t(`sort.${s}`))))
  main.append(h('div', { class: 'inbox' }, sidebar, h('section', { class: 'list' },
    h('div', { class: 'list-head' }, h('h1', {}, t(`view.${view}`), h('span', { class: 'count' }, page.total)), h('label', { class: 'sort' }, t('list.sort'), sortSelect)),
    bulkBar,
    page.tickets.length ? table.element : h('p', { class: 'empty' }, t('list.empty')))))
  const unkeys = setSceneKeys({
    j: () => table.focus(table.focused + 1),
    k: () => table.focus(table.focused - 1),
    o: () => table.rows[table.focused] && (location.hash = `#/ticket/${table.rows[table.focused].ticket.number}`),
    Enter: () => table.rows[table.focused] && (location.hash = `#/ticket/${table.rows[table.focused].ticket.number}`),
    x: () => table.rows[table.focused]?.box?.click(),
  })
  let timer = null
  const unlive = onLiveEvent(() => {
    // Never pull the list from under an agent who is selecting rows for a bulk action.
    if (table.selected.size > 0) return
    clearTimeout(timer)
    timer = setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 300)
  })
  return () => {
    unkeys()
    unlive()
    clearTimeout(timer)
  }
}
