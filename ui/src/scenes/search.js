import { get } from '../api.js'
import { h } from '../dom.js'
import { t } from '../i18n.js'
import { setSceneKeys } from '../components/shortcuts.js'
import { ticketTable } from '../components/ticket-table.js'

const STATUSES = ['new', 'open', 'pending', 'solved', 'closed']
const CATEGORIES = ['transaction', 'account', 'refund', 'withdrawal', 'kyc', 'phishing', 'other']

export async function renderSearch(main, params) {
  const input = h('input', { id: 'search-input', type: 'search', name: 'q', value: params.get('q') ?? '', placeholder: t('search.placeholder'), maxlength: 500 })
  const choice = (name, values, labels) => h('label', { class: 'field' }, t(`col.${name === 'assignee' ? 'assignee' : name}`),
    h('select', { name, id: `filter-${name}` }, h('option', { value: '' }, t('search.any')), values.map((v, i) => h('option', { value: v, selected: params.get(name) === v }, labels[i]))))
  const date = (name, key) => h('label', { class: 'field' }, t(key), h('input', { type: 'date', name, value: params.get(name) ?? '' }))
  const form = h('form', { class: 'search-form', onsubmit: (e) => {
    e.preventDefault()
    const q = new URLSearchParams()
    for (const [k, v] of new FormData(form)) if (v) q.set(k, String(v))
    location.hash = `#/search?${q}`
  } },
    input,
    choice('status', STATUSES, STATUSES.map((s) => t(`status.${s}`))),
    choice('category', CATEGORIES, CATEGORIES.map((c) => t(`category.${c}`))),
    choice('assignee', ['me', 'none'], [t('search.me'), t('search.none')]),
    date('from', 'search.from'),
    date('to', 'search.to'),
    h('button', { type: 'submit', class: 'primary', id: 'search-submit' }, t('search.go')))
  main.append(h('div', { class: 'search-page' }, form))
  const query = new URLSearchParams()
  for (const key of ['q', 'status', 'category', 'assignee', 'from', 'to']) if (params.get(key)) query.set(key, params.get(key))
  if ([...query.keys()].length === 0) {
    input.focus()
    return () => {}
  }
  const result = await get(`/search?${query}&limit=100`)
  const table = ticketTable(result.tickets, { selectable: false, onOpen: (ticket) => (location.hash = `#/ticket/${ticket.number}`) })
  main.firstChild.append(h('p', { class: 'result-count', id: 'search-count' }, t('search.results', { n: result.totalIsExact === false ? `${result.total}+` : result.total })), table.element)
  return setSceneKeys({
    j: () => table.focus(table.focused + 1),
    k: () => table.focus(table.focused - 1),
    o: () => table.rows[table.focused] && (location.hash = `#/ticket/${table.rows[table.focused].ticket.number}`),
    Enter: () => table.rows[table.focused] && (location.hash = `#/ticket/${table.rows[table.focused].ticket.number}`),
  })
}
