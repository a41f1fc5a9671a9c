import { ApiError, patch } from '../api.js'
import { h } from '../dom.js'
import { t } from '../i18n.js'
import { session } from '../stores/session.js'

/** The agent's own account: change the password (which ends every session, this one too). */
export async function renderAccount(main) {
  const field = (id, key, autocomplete) =>
    h('label', { class: 'field' }, t(key), h('input', { id, type: 'password', autocomplete, required: true, maxlength: 256 }))
  const message = h('p', { id: 'account-message', role: 'status' })
  const form = h('form', { class: 'card account-form', id: 'password-form', onsubmit: async (e) => {
    e.preventDefault()
    const value = (id) => form.querySelector(`#${id}`).value
    message.className = 'error'
    if (value('new-password') !== value('new-password-again')) {
      message.textContent = t('account.mismatch')
      return
    }
    try {
      await patch('/auth/me', { currentPassword: value('current-password'), password: value('new-password') })
      message.className = 'ok'
      message.textContent = t('account.changed')
      form.reset()
    } catch (err) {
      message.textContent = err instanceof ApiError && err.code === 'INVALID_INPUT' && /currentPassword/.test(err.message) ? t('account.wrongCurrent') : err.message
    }
  } },
  h('h2', {}, t('account.password')),
  field('current-password', 'account.current', 'current-password'),
  field('new-password', 'account.new', 'new-password'),
  field('new-password-again', 'account.again', 'new-password'),
  h('p', { class: 'muted' }, t('account.rules')),
  h('button', { class: 'primary', type: 'submit', id: 'password-submit' }, t('account.change')),
  message)
  main.append(h('div', { class: 'account' }, h('h1', {}, session.agent?.displayName ?? ''), h('p', { class: 'muted' }, session.agent?.email ?? ''), form))
  return () => {}
}
