import { ApiError, get, patch, post } from '../api.js'
import { formatBytes, h } from '../dom.js'
import { formatDate, t } from '../i18n.js'
import { messageText } from '../components/message-text.js'
import { setSceneKeys } from '../components/shortcuts.js'
import { priorityBadge, slaClock, statusBadge } from '../components/ticket-table.js'
import { verdictBadges } from '../components/verdict-badges.js'
import { onLiveEvent } from '../stores/live.js'
import { agentName, session } from '../stores/session.js'

const STATUSES = ['new', 'open', 'pending', 'solved', 'closed']
const PRIORITIES = ['low', 'normal', 'high', 'urgent']
const CATEGORIES = ['transaction', 'account', 'refund', 'withdrawal', 'kyc', 'phishing', 'other']

function toast(text, kind = 'info') {
  let stack = document.getElementById('toasts')
  if (!stack) document.body.append((stack = h('div', { id: 'toasts', class: 'toasts' })))
  const el = h('div', { class: `toast toast-${kind}`, role: 'status' }, text)
  stack.append(el)
  setTimeout(() => el.remove(), 3500)
}

function select(id, values, current, label, onChange) {
  return h('label', { class: 'field' }, label,
    h('select', { id, onchange: (e) => onChange(e.target.value) }, values.map(([value, text]) => h('option', { value, selected: String(value) === String(current) }, text))))
}

function messageCard(m) {
  const kind = m.direction === 'note' ? 'note' : m.direction === 'outbound' ? 'outbound' : 'inbound'
  const { block, markers } = messageText(m)
  const body = h('div', { class: 'message-body' }, block)
  const findings = Array.isArray(m.findings) ? m.findings.length : 0
  const head = h('div', { class: 'message-head' },
    h('span', { class: `who who-${kind}` }, t(`ticket.${kind}.label`)),
    h('span', { class: 'from' }, m.from ? `${m.from.name ? `${m.from.name} ` : ''}<${m.from.address}>` : ''),
    ...verdictBadges(m.verdicts),
    markers + findings > 0 ? h('span', { class: 'badge redacted-badge', title: t('ticket.redacted') }, `🛡 ${t('ticket.redacted')}`) : null,
    h('span', { class: 'spacer' }),
    h('time', { datetime: m.receivedAt }, formatDate(m.receivedAt)),
  )
  const tools = h('div', { class: 'message-tools' })
  if (m.html) {
    let frame = null
    const showHtml = h('button', { class: 'link show-html', onclick: () => {
      if (frame) { frame.remove(); frame = null; showHtml.textContent = t('ticket.showHtml'); block.hidden = false; return }
      // Sandboxed: no scripts, no same-origin, no forms, no popups; the server adds a CSP without network access.
      frame = h('iframe', { class: 'mail-frame', sandbox: '', referrerpolicy: 'no-referrer', title: m.subject, src: `/api/v1/messages/${m.id}/body.html` })
      body.append(frame)
      block.hidden = true
      showHtml.textContent = t('ticket.showText')
    } }, t('ticket.showHtml'))
    const showImages = h('button', { class: 'link show-images', onclick: () => {
      if (!frame) showHtml.click()
      frame.src = `/api/v1/messages/${m.id}/body.html?images=true`
      showImages.remove()
    } }, t('ticket.showImages'))
    tools.append(showHtml)
    if (m.remoteImages > 0) tools.append(showImages)
  }
  const attachments = m.attachments?.length
    ? h('ul', { class: 'attachments' }, m.attachments.map((a) => h('li', {},
        // A quarantined file (or one awaiting its virus scan) is not offered as a download that would fail.
        a.withheld
          ? h('span', { class: 'withheld-file' }, a.filename, ' ', h('span', { class: 'badge verdict verdict-danger', title: a.withheld.reason ?? '' }, t('ticket.withheld', { verdict: a.withheld.verdict })))
          : h('a', { href: `/api/v1/attachments/${a.id}`, download: a.filename }, a.filename),
        h('span', { class: 'meta' }, ` ${a.contentType} · ${formatBytes(a.sizeBytes)}`))))
    : null
  const warnings = m.warnings?.length
    ? h('div', { class: 'warnings' }, `${t('ticket.warnings')}: `, m.warnings.map((w, i) => h('span', { title: w.detail ?? '' }, i ? '; ' : '', t(`warning.${w.code}`, {}, w.code))))
    : null
  return h('article', { class: `message message-${kind}`, 'data-message-id': m.id }, head, h('div', { class: 'subject-small' }, m.subject), tools, body, attachments, warnings)
}

export async function renderTicket(main, number) {
  const [ticket, customerHistory, templates] = await Promise.all([
    get(`/tickets/${encodeURIComponent(number)}`),
    get(`/tickets/${encodeURIComponent(number)}/history`),
    get(`/tickets/${encodeURIComponent(number)}/templates`).catch(() => ({ templates: [] })),
  ])
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'))
  // Every change says when it was refused (a tag with a space, a ticket closed meanwhile) instead of doing nothing.
  const change = async (changes) => {
    try {
      await patch(`/tickets/${ticket.number}`, changes)
      reload()
    } catch (err) {
      toast(err.message, 'error')
    }
  }
  const sla = slaClock(ticket.dueAt, ticket.status)
  const tags = h('div', { class: 'tag-editor' },
    (ticket.tags ?? []).map((tag) => h('span', { class: 'tag' }, tag, h('button', { class: 'link remove-tag', 'aria-label': t('ticket.removeTag', { tag }), onclick: () => change({ removeTags: [tag] }) }, '×'))),
    h('input', { id: 'add-tag', 'aria-label': t('ticket.addTag'), placeholder: t('ticket.addTag'), maxlength: 40, onkeydown: (e) => {
      if (e.key !== 'Enter' || !e.target.value.trim()) return
      const tag = e.target.value.trim()
      // The server's rule (one word: letters, digits, _ . : -), said in the agent's words before asking it.
      if (!/^[\p{L}\p{N}_.:-]{1,40}$/u.test(tag)) toast(t('ticket.tagInvalid'), 'error')
      else change({ addTags: [tag] })
    } }))

  const properties = h('aside', { class: 'properties' },
    h('div', { class: `sla-clock ${sla.cls}` }, h('strong', {}, t('ticket.sla')), ' ', ticket.dueAt ? sla.text : t('ticket.noSla')),
    select('ticket-status', STATUSES.map((s) => [s, t(`status.${s}`)]), ticket.status, t('ticket.status'), (v) => change({ status: v })),
    select('ticket-priority', PRIORITIES.map((p) => [p, t(`priority.${p}`)]), ticket.priority, t('ticket.priority'), (v) => change({ priority: v })),
    select('ticket-category', CATEGORIES.map((c) => [c, t(`category.${c}`)]), ticket.category, t('ticket.category'), (v) => change({ category: v })),
    select('ticket-assignee', [['', t('ticket.unassigned')], ...session.agents.map((a) => [a.id, a.displayName])], ticket.assigneeAgentId ?? '', t('ticket.assignee'), (v) => change({ assigneeAgentId: v === '' ? null : Number(v) })),
    ticket.assigneeAgentId !== session.agent.id ? h('button', { id: 'take-ticket', onclick: () => change({ assigneeAgentId: session.agent.id }) }, t('ticket.assignMe')) : null,
    h('div', { class: 'field' }, t('ticket.tags'), tags),
    h('button', { id: 'merge-ticket', onclick: async () => {
      const into = prompt(t('ticket.mergePrompt'))
      if (!into) return
      try {
        const res = await post(`/tickets/${ticket.number}/merge`, { into: into.trim() })
        location.hash = `#/ticket/${res.into}`
      } catch (err) {
        toast(err.message, 'error')
      }
    } }, t('ticket.merge')),
    fieldsPanel(ticket.messages),
    h('h3', {}, t('ticket.history')),
    customerHistory.tickets.length
      ? h('ul', { class: 'history' }, customerHistory.tickets.map((o) => h('li', {}, h('a', { href: `#/ticket/${o.number}` }, o.number), ' ', statusBadge(o.status), h('div', { class: 'muted' }, o.subject))))
      : h('p', { class: 'muted' }, t('ticket.noHistory')),
    h('h3', {}, t('ticket.events')),
    h('ol', { class: 'events' }, ticket.events.slice(-15).map((e) => h('li', {}, h('span', { class: 'event-type' }, t(`event.${e.type}`, {}, e.type)), ' ', e.actor && e.actor !== 'system' ? agentName(Number(e.actor)) : '', h('div', { class: 'muted' }, formatDate(e.createdAt))))),
  )

  // Composer: reply to the customer or add an internal note.
  let mode = 'reply'
  let busy = false
  // The draft outlives a reload and a lost session (log in again, come back): kept for this tab until sent.
  const draftKey = `maildesk.draft.${ticket.number}`
  const text = h('textarea', { id: 'composer-text', rows: 6, 'aria-label': t('ticket.reply'), placeholder: t('ticket.replyPlaceholder'), oninput: (e) => {
    if (e.target.value.trim()) sessionStorage.setItem(draftKey, e.target.value)
    else sessionStorage.removeItem(draftKey)
  } })
  text.value = sessionStorage.getItem(draftKey) ?? ''
  const statusAfter = h('select', { id: 'reply-status', 'aria-label': t('ticket.statusAfter') },
    h('option', { value: '' }, t('ticket.statusAfter.keep')),
    h('option', { value: 'pending' }, t('ticket.statusAfter.pending')),
    h('option', { value: 'solved' }, t('ticket.statusAfter.solved')))
  const replyTab = h('button', { class: 'tab active', id: 'tab-reply', onclick: () => setMode('reply') }, t('ticket.reply'))
  const noteTab = h('button', { class: 'tab', id: 'tab-note', onclick: () => setMode('note') }, t('ticket.note'))
  const submit = h('button', { class: 'primary', id: 'composer-submit', onclick: async () => {
    const value = text.value.trim()
    if (!value) return
    submit.disabled = true
    busy = true
    try {
      if (mode === 'note') {
        await post(`/tickets/${ticket.number}/notes`, { text: value })
        toast(t('ticket.noted'))
      } else {
        await post(`/tickets/${ticket.number}/replies`, statusAfter.value ? { text: value, status: statusAfter.value } : { text: value })
        toast(t('ticket.sent'))
      }
      text.value = ''
      sessionStorage.removeItem(draftKey)
      reload()
    } catch (err) {
      toast(err instanceof ApiError && err.status === 404 && mode === 'reply' ? t('ticket.replyUnavailable') : err.message, 'error')
    } finally {
      busy = false
      submit.disabled = false
    }
  } }, t('ticket.send'))
  const templateSelect = h('select', { id: 'template', 'aria-label': t('ticket.templates'), onchange: (e) => {
    const tpl = templates.templates.find((x) => x.id === e.target.value)
    if (tpl) {
      text.value = tpl.text
      sessionStorage.setItem(draftKey, tpl.text)
    }
    e.target.value = ''
  } }, h('option', { value: '' }, t('ticket.templates')), templates.templates.map((tpl) => h('option', { value: tpl.id }, `${tpl.language === 'zh-CN' ? '中' : 'EN'} · ${tpl.name}`)))
  const composer = h('div', { class: 'composer' }, h('div', { class: 'tabs' }, replyTab, noteTab, h('span', { class: 'spacer' }), templateSelect), text, h('div', { class: 'composer-actions' }, statusAfter, submit))
  function setMode(next) {
    mode = next
    replyTab.classList.toggle('active', mode === 'reply')
    noteTab.classList.toggle('active', mode === 'note')
    composer.classList.toggle('note-mode', mode === 'note')
    text.placeholder = t(mode === 'note' ? 'ticket.notePlaceholder' : 'ticket.replyPlaceholder')
    submit.textContent = t(mode === 'note' ? 'ticket.addNote' : 'ticket.send')
    templateSelect.hidden = mode === 'note'
    statusAfter.hidden = mode === 'note'
  }

  main.append(h('div', { class: 'ticket-page' },
    h('div', { class: 'ticket-head' },
      h('a', { href: '#/view/new', class: 'back' }, t('ticket.back')),
      h('h1', {}, h('span', { class: 'number' }, ticket.number), ' ', ticket.subject),
      h('div', { class: 'head-badges' }, statusBadge(ticket.status), priorityBadge(ticket.priority), h('span', { class: 'badge' }, t(`category.${ticket.category}`)), h('span', { class: 'muted' }, ticket.customer?.email ?? ''),
        ticket.mergedInto ? h('a', { href: `#/ticket/${ticket.mergedInto}`, class: 'badge merged' }, t('ticket.mergedInto', { number: ticket.mergedInto })) : null)),
    h('div', { class: 'ticket-body' },
      h('section', { class: 'thread' }, ticket.messages.map(messageCard), composer),
      properties)))

  const unkeys = setSceneKeys({
    r: () => { setMode('reply'); text.focus() },
    n: () => { setMode('note'); text.focus() },
    a: () => change({ assigneeAgentId: session.agent.id }),
    s: () => change({ status: 'solved' }),
    Escape: () => window.history.length > 1 ? window.history.back() : (location.hash = '#/view/new'),
  })
  const unlive = onLiveEvent((e) => {
    if (e.ticket !== ticket.number || busy) return
    if (text.value.trim()) toast(t('ticket.updated'))
    else reload()
  })
  return () => {
    unkeys()
    unlive()
  }
}

/** Fields the extraction stage found (transaction IDs, amounts, times), when messages carry them. */
function fieldsPanel(messages) {
  const rows = []
  for (const m of messages) {
    const f = m.fields
    if (!f || typeof f !== 'object') continue
    for (const [key, value] of Object.entries(f)) {
      const values = Array.isArray(value) ? value : [value]
      for (const v of values) {
        if (v === null || v === undefined || v === '') continue
        rows.push(h('li', {}, h('span', { class: 'field-key' }, t(`fields.${key}`, {}, key)), ' ', fieldValue(v)))
      }
    }
  }
  if (rows.length === 0) return null
  return h('div', { class: 'extracted' }, h('h3', {}, t('ticket.fields')), h('ul', {}, rows))
}

/** An extracted value as an agent reads it: the account, the time as written, the amount with its currency. */
function fieldValue(v) {
  if (typeof v !== 'object') return String(v)
  if (v.kind && v.value) return v.value
  if (v.currency && v.value !== undefined) return `${v.value} ${v.currency}${v.text && !v.text.includes(String(v.value)) ? ` (${v.text})` : ''}`
  if (v.text) return v.relative ? `${v.text} (${t('fields.relative')})` : v.text
  return JSON.stringify(v)
}
