// Live updates: one EventSource on /api/v1/live; scenes subscribe to ticket events.
const listeners = new Set()
let source = null

export function startLive() {
  if (source) return
  source = new EventSource('/api/v1/live')
  source.addEventListener('ticket', (e) => {
    let data
    try {
      data = JSON.parse(e.data)
    } catch {
      return
    }
    for (const listener of listeners) listener(data)
  })
}

export function stopLive() {
  source?.close()
  source = null
}

export function onLiveEvent(listener) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
