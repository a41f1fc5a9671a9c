import { h } from '../dom.js'
import { t } from '../i18n.js'

// Global keys (/, g i, g d, ?, Esc) plus whatever the current scene registers (j, k, o, r, n, a, s, x).
let sceneKeys = {}
let pendingG = false

export function setSceneKeys(keys) {
  sceneKeys = keys
  return () => {
    if (sceneKeys === keys) sceneKeys = {}
  }
}

function isTyping(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
}

function toggleHelp() {
  const existing = document.getElementById('shortcut-help')
  if (existing) return existing.remove()
  document.body.append(h('div', { id: 'shortcut-help', class: 'help-overlay', onclick: (e) => e.currentTarget.remove() },
    h('div', { class: 'help-box' }, h('h2', {}, t('keys.title')), h('p', {}, t('keys.list')))))
}

export function installShortcuts(navigate) {
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return
    if (isTyping(e.target)) {
      if (e.key === 'Escape') e.target.blur()
      return
    }
    if (pendingG) {
      pendingG = false
      if (e.key === 'i') return navigate('#/view/new')
      if (e.key === 'd') return navigate('#/dashboard')
      if (e.key === 's') return navigate('#/search')
    }
    if (e.key === 'g') {
      pendingG = true
      setTimeout(() => (pendingG = false), 1000)
      return
    }
    if (e.key === '/') {
      e.preventDefault()
      const box = document.getElementById('search-input')
      if (box) box.focus()
      else navigate('#/search')
      return
    }
    if (e.key === '?') return toggleHelp()
    // Esc closes the shortcut list first; only without it open does it mean the scene's Esc (back).
    const help = document.getElementById('shortcut-help')
    if (help && e.key === 'Escape') return help.remove()
    const handler = sceneKeys[e.key]
    if (handler) {
      e.preventDefault()
      handler(e)
    }
  })
}
