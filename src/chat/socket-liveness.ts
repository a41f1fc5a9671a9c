/** The part of a ws WebSocket that liveness checks use. */
export interface LiveSocket {
  ping(): void
  terminate(): void
  on(event: 'pong' | 'close', listener: () => void): unknown
}

/**
 * Pings the socket every `intervalMs` and terminates it when the previous ping got no pong: a peer that vanished
 * (a laptop closed, a phone out of coverage) leaves a half-open connection that never closes by itself, and would
 * hold its subscriptions, and an agent's presence, for ever. Browsers answer pings on their own.
 */
export function keepAlive(socket: LiveSocket, intervalMs: number): void {
  let answered = true
  socket.on('pong', () => {
    answered = true
  })
  const timer = setInterval(() => {
    if (!answered) {
      socket.terminate()
      return
    }
    answered = false
    socket.ping()
  }, intervalMs)
  timer.unref()
  socket.on('close', () => clearInterval(timer))
}

/** Open sockets per remote address, for a cap on what one address may hold open. */
export class SocketsPerAddress {
  private readonly open = new Map<string, number>()

  constructor(private readonly max: number) {}

  /** Counts a socket for the address, or answers false (and counts nothing) when it already has `max`. */
  take(address: string): boolean {
    const n = this.open.get(address) ?? 0
    if (n >= this.max) return false
    this.open.set(address, n + 1)
    return true
  }

  release(address: string): void {
    const n = (this.open.get(address) ?? 1) - 1
    if (n <= 0) this.open.delete(address)
    else this.open.set(address, n)
  }
}
