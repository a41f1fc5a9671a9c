import { h, clear } from './dom.js'
import { getLanguage, setLanguage, t } from './i18n.js'
import { loadSession, logOut, session } from './stores/session.js'
import { startLive, stopLive } from './stores/live.js'
import { renderLogin } from './scenes/login.js'
import { renderInbox } from './scenes/inbox.js'
import { renderTicket } from './scenes/ticket.js'
import { renderSearch } from './scenes/search.js'
import { renderDashboard } from './scenes/dashboard.js'
import { renderChat } from './scenes/chat.js'
import { renderPhishing } from './scenes/phishing.js'
import { renderAccount } from './scenes/account.js'
import { installShortcuts } from './components/shortcuts.js'

const root = document.getElementById('app')
let cleanup = null

/** Hash routes: #/view/new, #/ticket/OKP-1042, #/search?q=…, #/dashboard, #/chat, #/phishing, #/account */
function parseRoute() {
  const hash = location.hash.replace(/^#/, '') || '/view/new'
  const [path, query = ''] = hash.split('?')
  const parts = path.split('/').filter(Boolean)
  return { parts, params: new URLSearchParams(query) }
}

export function navigate(hash) {
  if (location.hash === hash) route()
  else location.hash = hash
}

function header() {
  const here = parseRoute().parts[0]
  const link = (href, key, name) => h('a', { href, class: here === name ? 'active' : '' }, t(key))
  return h('header', { class: 'topbar' },
    h('span', { class: 'brand' }, t('app.title')),
    h('nav', {}, link('#/view/new', 'nav.inbox', 'view'), link('#/search', 'nav.search', 'search'), link('#/dashboard', 'nav.dashboard', 'dashboard'), link('#/chat', 'nav.chat', 'chat'), link('#/phishing', 'nav.phishing', 'phishing')),
    h('span', { class: 'spacer' }),
    h('button', { class: 'link', id: 'language-switch', onclick: () => { setLanguage(getLanguage() === 'en' ? 'zh-CN' : 'en'); route() } }, t('nav.language')),
    h('a', { class: 'whoami', href: '#/account', id: 'account-link', title: t('account.password') }, session.agent?.displayName ?? ''),
    h('button', { class: 'link', id: 'logout', onclick: async () => { await logOut(); stopLive(); route() } }, t('nav.logout')),
  )
}

async function route() {
  if (cleanup) cleanup()
  cleanup = null
  document.documentElement.lang = getLanguage()
  document.title = t('app.title')
  if (!session.agent && !(await loadSession())) {
    clear(root).appendChild(renderLogin(() => route()))
    return
  }
  startLive()
  const main = h('main', { class: 'content' })
  clear(root).append(header(), main)
  const { parts, params } = parseRoute()
  try {
    if (parts[0] === 'ticket' && parts[1]) cleanup = await renderTicket(main, parts[1])
    else if (parts[0] === 'search') cleanup = await renderSearch(main, params)
    else if (parts[0] === 'dashboard') cleanup = await renderDashboard(main)
    else if (parts[0] === 'chat') cleanup = await renderChat(main)
    else if (parts[0] === 'phishing') cleanup = await renderPhishing(main)
    else if (parts[0] === 'account') cleanup = await renderAccount(main)
    else cleanup = await renderInbox(main, parts[1] ?? 'new', params)
  } catch (err) {
    main.append(h('p', { class: 'error' }, t('error.generic', { message: err.message })))
  }
}

window.addEventListener('hashchange', route)
window.addEventListener('maildesk:unauthenticated', () => {
  if (session.agent) {
    session.agent = null
    stopLive()
    route()
  }
})
installShortcuts(navigate)
setLanguage(getLanguage(), false)
route()
