// The only way the UI talks to the server: /api/v1, JSON, the CSRF header on every state change.
let csrfToken = null

export function setCsrfToken(token) {
  csrfToken = token
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken
  const res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' })
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : null
  if (!res.ok) {
    const error = data?.error ?? {}
    const err = new ApiError(res.status, error.code ?? 'HTTP_' + res.status, error.message ?? res.statusText)
    if (res.status === 401 && path !== '/auth/login') window.dispatchEvent(new CustomEvent('maildesk:unauthenticated'))
    throw err
  }
  return data
}

export const get = (path) => api('GET', path)
export const post = (path, body = {}) => api('POST', path, body)
export const patch = (path, body) => api('PATCH', path, body)
