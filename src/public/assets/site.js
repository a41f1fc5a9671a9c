// Public pages: proof-of-work for forms, focus on errors, and the live-chat widget. No external resources.
'use strict'

function leadingZeroBits(bytes) {
  let bits = 0
  for (const b of bytes) {
    if (b === 0) { bits += 8; continue }
    return bits + Math.clz32(b) - 24
  }
  return bits
}

// Hashcash: find a nonce so that SHA-256("<token>:<nonce>") starts with `bits` zero bits; the server checks one hash.
async function solveProofOfWork(token, bits) {
  const encoder = new TextEncoder()
  for (let nonce = 0; nonce < 1e8; nonce++) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(token + ':' + nonce)))
    if (leadingZeroBits(digest) >= bits) return String(nonce)
  }
  return ''
}

function setUpProofOfWork(form) {
  const bits = Number(form.dataset.powBits)
  const token = form.querySelector('input[name=form_token]')
  const nonce = form.querySelector('input[name=pow_nonce]')
  if (!bits || !token || !nonce || !(window.crypto && crypto.subtle)) return
  let solving = null
  const start = () => { solving = solving || solveProofOfWork(token.value, bits).then((n) => { nonce.value = n }) }
  // Start early (on first interaction) so the work is usually done before the visitor presses Send.
  form.addEventListener('focusin', start, { once: true })
  form.addEventListener('submit', (event) => {
    if (nonce.value) return
    event.preventDefault()
    const button = form.querySelector('button[type=submit]')
    if (button) { button.disabled = true; button.dataset.label = button.textContent; button.textContent = form.dataset.working || button.textContent }
    start()
    solving.then(() => { if (button) button.disabled = false; HTMLFormElement.prototype.submit.call(form) })
  })
}

function setUpChat(root) {
  const t = JSON.parse(root.dataset.strings || '{}')
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v)
    if (text !== undefined) e.textContent = text
    return e
  }
  const toggle = el('button', { type: 'button', class: 'chat-toggle', 'aria-expanded': 'false', 'aria-controls': 'chat-panel' }, t.open)
  const panel = el('section', { id: 'chat-panel', class: 'chat-panel', 'aria-labelledby': 'chat-title', hidden: '' })
  const header = el('header')
  header.append(el('h2', { id: 'chat-title' }, t.title))
  const closeButton = el('button', { type: 'button' }, t.close)
  header.append(closeButton)
  const log = el('ol', { class: 'chat-log', 'aria-live': 'polite', 'aria-label': t.title })
  const startForm = el('form', { class: 'chat-start' })
  startForm.append(el('p', { class: 'small' }, t.intro))
  const field = (id, label, type) => {
    const wrap = el('div')
    wrap.append(el('label', { for: id }, label))
    const input = type === 'textarea' ? el('textarea', { id, required: '', maxlength: '2000' }) : el('input', { id, type, required: '', maxlength: '200', autocomplete: type === 'email' ? 'email' : 'name' })
    wrap.append(input)
    return { wrap, input }
  }
  const name = field('chat-name', t.name, 'text')
  const email = field('chat-email', t.email, 'email')
  const first = field('chat-first', t.message, 'textarea')
  startForm.append(name.wrap, email.wrap, first.wrap, el('button', { type: 'submit' }, t.start))
  const sendForm = el('form', { class: 'chat-send', hidden: '' })
  const text = field('chat-text', t.message, 'textarea')
  const endButton = el('button', { type: 'button', class: 'secondary' }, t.end)
  sendForm.append(text.wrap, el('button', { type: 'submit' }, t.send), endButton)
  panel.append(header, log, startForm, sendForm)
  root.append(toggle, panel)

  const add = (who, message, system) => {
    const li = el('li', system ? { class: 'system' } : {})
    if (who) li.append(el('span', { class: 'who' }, who + ':'))
    li.append(document.createTextNode(message))
    if (system && message === t.noAgent) {
      li.append(document.createTextNode(' '))
      li.append(el('a', { href: 'mailto:' + t.supportAddress }, t.supportAddress))
    }
    log.append(li)
    log.scrollTop = log.scrollHeight
  }
  let socket = null
  // A dropped connection (network, server restart, a missed ping) is resumed with the token, waiting 1 s, 2 s, 4 s…
  // up to 30 s between tries; an ended chat, or one that never started, is not.
  let retryMs = 0
  let warned = false
  const connect = (opening) => {
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/api/v1/public/chat'
    const current = new WebSocket(url)
    socket = current
    current.addEventListener('open', () => current.send(JSON.stringify(opening)))
    current.addEventListener('close', () => {
      const token = sessionStorage.getItem('md_chat')
      if (socket !== current || !token) return
      retryMs = Math.min(retryMs ? retryMs * 2 : 1000, 30000)
      setTimeout(() => { if (socket === current) connect({ type: 'resume', token }) }, retryMs)
    })
    current.addEventListener('message', (event) => {
      let m
      try { m = JSON.parse(event.data) } catch { return }
      if (m.type === 'started') {
        retryMs = 0
        warned = false
        sessionStorage.setItem('md_chat', m.resumeToken)
        startForm.hidden = true; sendForm.hidden = false
        if (m.transcript) { log.textContent = ''; for (const x of m.transcript) add(x.from === 'agent' ? t.agent : t.you, x.text) }
        add('', m.agentsOnline ? t.agentsOnline : t.noAgent, true)
        text.input.focus()
      } else if (m.type === 'message') {
        if (m.from === 'agent') add(t.agent, m.text)
      } else if (m.type === 'ended') {
        // The transcript stays; the start form comes back, so a new question needs no reload.
        add('', t.ended, true); sessionStorage.removeItem('md_chat'); sendForm.hidden = true
        first.input.value = ''; startForm.hidden = false
      } else if (m.type === 'error') {
        // In the page's language; the server's English words only for a code the widget does not know.
        const said = { INVALID_INPUT: t.invalid, RATE_LIMITED: t.slowDown, STORAGE_UNAVAILABLE: t.savedByEmail, INTERNAL: t.notSaved }[m.code]
        add('', said || m.message, true)
      }
    })
    current.addEventListener('error', () => {
      if (warned) return
      warned = true
      add('', t.unavailable, true)
    })
  }
  const open = () => { panel.hidden = false; toggle.setAttribute('aria-expanded', 'true'); (startForm.hidden ? text.input : name.input).focus() }
  const close = () => { panel.hidden = true; toggle.setAttribute('aria-expanded', 'false'); toggle.focus() }
  toggle.addEventListener('click', () => (panel.hidden ? open() : close()))
  closeButton.addEventListener('click', close)
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') close() })
  startForm.addEventListener('submit', (e) => {
    e.preventDefault()
    // Spaces pass the browser's required check; they are not a message to echo and then have refused.
    if (!first.input.value.trim()) return first.input.focus()
    add(t.you, first.input.value)
    connect({ type: 'start', name: name.input.value, email: email.input.value, text: first.input.value, lang: t.lang })
  })
  sendForm.addEventListener('submit', (e) => {
    e.preventDefault()
    if (!text.input.value.trim() || !socket) return
    // Kept in the box while the connection is being resumed: a line sent into a closed socket would be lost.
    if (socket.readyState !== WebSocket.OPEN) return add('', t.reconnecting, true)
    socket.send(JSON.stringify({ type: 'message', text: text.input.value }))
    add(t.you, text.input.value)
    text.input.value = ''
  })
  endButton.addEventListener('click', () => { if (socket) socket.send(JSON.stringify({ type: 'end' })) })
  const resume = sessionStorage.getItem('md_chat')
  if (resume) connect({ type: 'resume', token: resume })
}

document.addEventListener('DOMContentLoaded', () => {
  for (const form of document.querySelectorAll('form[data-pow-bits]')) setUpProofOfWork(form)
  const errors = document.getElementById('form-errors')
  if (errors) errors.focus()
  const chat = document.getElementById('chat')
  if (chat && window.WebSocket) setUpChat(chat)
})
