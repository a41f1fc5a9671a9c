import { get, post, setCsrfToken } from '../api.js'
import { setLanguage } from '../i18n.js'

// Who is logged in, and the agents list for assignment.
export const session = { agent: null, agents: [] }

export async function loadSession() {
  try {
    const data = await get('/auth/session')
    session.agent = data.agent
    setCsrfToken(data.csrfToken)
    if (data.agent.language && !localStorage.getItem('maildesk.language')) setLanguage(data.agent.language, false)
    session.agents = (await get('/agents')).agents
    return true
  } catch {
    session.agent = null
    return false
  }
}

export async function logIn(email, password) {
  const data = await post('/auth/login', { email, password })
  setCsrfToken(data.csrfToken)
  return loadSession()
}

export async function logOut() {
  await post('/auth/logout')
  session.agent = null
  setCsrfToken(null)
}

export function agentName(id) {
  if (id === null || id === undefined) return ''
  return session.agents.find((a) => a.id === id)?.displayName ?? `#${id}`
}
