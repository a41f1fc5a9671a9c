import { h } from '../dom.js'
import { duration, formatDate, t } from '../i18n.js'
import { agentName } from '../stores/session.js'

/** The SLA clock text and class for a due time. */
export function slaClock(dueAt, status) {
  if (!dueAt || ['solved', 'closed', 'pending'].includes(status)) return { text: dueAt ? formatDate(dueAt) : '—', cls: 'sla-none' }
  const minutes = (Date.parse(dueAt) - Date.now()) / 60000
  if (minutes < 0) return { text: t('ticket.overdueBy', { time: duration(minutes) }), cls: 'sla-breached' }
  return { text: t('ticket.dueIn', { time: duration(minutes) }), cls: minutes < 60 ? 'sla-near' : 'sla-ok' }
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, t(`status.${status}`))
}

export function priorityBadge(priority) {
  return h('span', { class: `badge priority-${priority}` }, t(`priority.${priority}`))
}

/**
 * A table of tickets with selection. Returns { element, rows, selected, focus(i) }.
 */
export function ticketTable(tickets, { selectable = true, onOpen } = {}) {
  const selected = new Set()
  const rows = []
  const tbody = h('tbody')
  tickets.forEach((ticket, index) => {
    const sla = slaClock(ticket.dueAt, ticket.status)
    const box = selectable ? h('input', { type: 'checkbox', 'aria-label': ticket.number, onchange: (e) => { e.target.checked ? selected.add(ticket.number) : selected.delete(ticket.number); table.dispatchEvent(new Event('selectionchange')) } }) : null
    // Reachable with Tab: a focused row is the j/k row, so the scene's Enter and o open it (one way to open a row).
    const row = h('tr', { 'data-number': ticket.number, class: 'ticket-row', tabindex: 0, 'aria-label': `${ticket.number} ${ticket.subject}`,
      onclick: (e) => { if (e.target !== box) onOpen(ticket) },
      onfocus: () => focus(index) },
      selectable ? h('td', { class: 'check' }, box) : null,
      h('td', { class: 'number' }, ticket.number),
      h('td', { class: 'subject' }, h('div', { class: 'subject-line' }, ticket.subject), h('div', { class: 'tags' }, (ticket.tags ?? []).map((tag) => h('span', { class: 'tag' }, tag)))),
      h('td', { class: 'customer' }, ticket.customer?.email ?? ''),
      h('td', {}, statusBadge(ticket.status)),
      h('td', {}, priorityBadge(ticket.priority)),
      h('td', { class: 'assignee' }, agentName(ticket.assigneeAgentId)),
      h('td', { class: sla.cls }, sla.text),
    )
    rows.push({ row, box, ticket, index })
    tbody.append(row)
  })
  const table = h('table', { class: 'tickets' },
    h('thead', {}, h('tr', {}, selectable ? h('th', {}) : null, ...['col.number', 'col.subject', 'col.customer', 'col.status', 'col.priority', 'col.assignee', 'col.due'].map((k) => h('th', {}, t(k))))),
    tbody)
  let focused = -1
  const focus = (i) => {
    if (rows.length === 0) return
    focused = Math.max(0, Math.min(rows.length - 1, i))
    rows.forEach((r, j) => r.row.classList.toggle('focused', j === focused))
    rows[focused].row.scrollIntoView({ block: 'nearest' })
  }
  return {
    element: table,
    rows,
    selected,
    focus,
    get focused() {
      return focused
    },
  }
}
