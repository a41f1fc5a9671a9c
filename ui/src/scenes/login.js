import { h } from '../dom.js'
import { getLanguage, setLanguage, t } from '../i18n.js'
import { logIn } from '../stores/session.js'

export function renderLogin(onDone) {
  const error = h('p', { class: 'error', role: 'alert' })
  const email = h('input', { type: 'email', name: 'email', id: 'login-email', autocomplete: 'username', required: true })
  const password = h('input', { type: 'password', name: 'password', id: 'login-password', autocomplete: 'current-password', required: true })
  const form = h('form', {
    class: 'login',
    onsubmit: async (e) => {
      e.preventDefault()
      error.textContent = ''
      try {
        await logIn(email.value, password.value)
        onDone()
      } catch (err) {
        error.textContent = err.code === 'RATE_LIMITED' ? t('login.limited', { message: err.message }) : t('login.wrong')
      }
    },
  },
    h('h1', {}, t('login.title')),
    h('label', {}, t('login.email'), email),
    h('label', {}, t('login.password'), password),
    error,
    h('button', { type: 'submit', class: 'primary', id: 'login-submit' }, t('login.submit')),
    h('button', { type: 'button', class: 'link', onclick: () => { setLanguage(getLanguage() === 'en' ? 'zh-CN' : 'en'); onDone() } }, t('nav.language')),
  )
  return h('div', { class: 'login-page' }, form)
}
