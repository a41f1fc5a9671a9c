import { get } from '../api.js'
import { clear, h } from '../dom.js'
import { formatDate, t } from '../i18n.js'

/**
 * Live chat for agents: while this page is open the agent is online (the agent socket, docs/live-chat.md), so a
 * customer who starts a chat is told someone is there. Open chats on the left; the chosen one's transcript, live,
 * on the right, with a line to send and a button to end it.
 */
export async function renderChat(main) {
  const open = new Map()
  let selected
  let ended = false
  const status = h('p', { class: 'chat-status muted', id: 'chat-status', role: 'status', 'data-state': 'connecting' }, t('chat.connecting'))
  const setState = (state, text = t(`chat.${state}`)) => {
    status.dataset.state = state
    status.textContent = text
    status.classList.toggle('error', state === 'offline')
  }
  const list = h('ul', { class: 'chat-list', id: 'chat-list' })
  const heading = h('h2', { class: 'chat-title' }, t('chat.pick'))
  const transcript = h('ol', { class: 'chat-transcript', id: 'chat-transcript', 'aria-live': 'polite' })
  const input = h('textarea', { id: 'chat-input', rows: 2, maxlength: 2000, 'aria-label': t('chat.input'), placeholder: t('chat.input'), onkeydown: (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault()
      sendLine()
    }
  } })
  const sendButton = h('button', { class: 'primary', id: 'chat-send', onclick: () => sendLine() }, t('chat.send'))
  const endButton = h('button', { id: 'chat-end', onclick: () => endChat() }, t('chat.end'))
  const compose = h('div', { class: 'chat-compose' }, input, sendButton)
  main.append(h('div', { class: 'chat-page' },
    h('aside', { class: 'chat-side' }, h('h1', {}, t('nav.chat')), status, list),
    h('section', { class: 'chat-panel' }, h('div', { class: 'chat-head' }, heading, endButton), transcript, compose)))
  showComposer()

  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/chat/agent`)
  const sendFrame = (frame) => {
    if (socket.readyState !== WebSocket.OPEN) return false
    socket.send(JSON.stringify(frame))
    return true
  }
  socket.addEventListener('open', () => setState('online'))
  socket.addEventListener('close', () => setState('offline'))
  socket.addEventListener('message', (e) => {
    let m
    try {
      m = JSON.parse(e.data)
    } catch {
      return
    }
    if (m.type === 'conversations') {
      for (const item of m.items) open.set(item.conversationId, { ...item, unread: false })
      renderList()
    } else if (m.type === 'started') {
      if (!open.has(m.conversationId)) open.set(m.conversationId, { conversationId: m.conversationId, ticketNumber: m.ticketNumber, startedAt: m.at, unread: true })
      renderList()
    } else if (m.type === 'message') {
      if (m.conversationId === selected) appendLine(m)
      else if (open.has(m.conversationId)) {
        open.get(m.conversationId).unread = true
        renderList()
      }
    } else if (m.type === 'ended') {
      open.delete(m.conversationId)
      renderList()
      if (m.conversationId === selected) {
        ended = true
        transcript.append(h('li', { class: 'chat-line chat-ended' }, t('chat.ended')))
        showComposer()
      }
    } else if (m.type === 'error') {
      status.textContent = m.message
    }
  })

  function renderList() {
    clear(list)
    if (open.size === 0) list.append(h('li', { class: 'muted' }, t('chat.none')))
    for (const c of [...open.values()].sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)))) {
      list.append(h('li', {},
        h('button', { class: `chat-item${c.conversationId === selected ? ' active' : ''}${c.unread ? ' unread' : ''}`, 'data-conversation': c.conversationId, onclick: () => choose(c.conversationId) },
          h('strong', {}, c.ticketNumber), ' ', c.unread ? h('span', { class: 'badge unread-badge' }, t('chat.new')) : null,
          h('div', { class: 'muted' }, formatDate(c.startedAt)))))
    }
  }

  async function choose(id) {
    selected = id
    const conversation = await get(`/chat/conversations/${id}`)
    if (selected !== id) return
    ended = conversation.status !== 'open'
    if (open.has(id)) open.get(id).unread = false
    renderList()
    clear(heading).append(h('a', { href: `#/ticket/${conversation.ticketNumber}` }, conversation.ticketNumber))
    clear(transcript)
    for (const line of conversation.transcript) appendLine(line)
    if (ended) transcript.append(h('li', { class: 'chat-line chat-ended' }, t('chat.ended')))
    showComposer()
    input.focus()
  }

  function appendLine(line) {
    const who = line.from === 'agent' ? (line.agentName ?? t('chat.agent')) : t('chat.customer')
    transcript.append(h('li', { class: `chat-line chat-${line.from}` }, h('span', { class: 'who' }, who), h('time', { class: 'muted' }, formatDate(line.at)), h('div', { class: 'text' }, line.text)))
    transcript.scrollTop = transcript.scrollHeight
  }

  function sendLine() {
    const text = input.value.trim()
    if (!text || selected === undefined || ended) return
    if (!sendFrame({ type: 'message', conversationId: selected, text })) return setState('offline')
    input.value = ''
  }

  function endChat() {
    if (selected !== undefined && !ended) sendFrame({ type: 'end', conversationId: selected })
  }

  function showComposer() {
    const usable = selected !== undefined && !ended
    input.disabled = !usable
    sendButton.disabled = !usable
    endButton.hidden = !usable
  }

  return () => socket.close()
}
