/** Keys a limiter remembers at most; past that the oldest window is forgotten (that key starts afresh). */
const MAX_KEYS = 50_000

/**
 * Fixed-window counters per key (an IP address, an email): `take` answers whether one more attempt fits.
 * In memory, per process: with several HTTP processes each allows the limit, which still caps a flood.
 * The map is kept in window-start order (a key whose window restarts is moved to the end), so expired
 * windows are always at the front and each call drops them in time proportional to what it removes.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>()

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  take(key: string, now: Date): boolean {
    const t = now.getTime()
    for (const [oldest, w] of this.windows) {
      if (t - w.startMs < this.windowMs) break
      this.windows.delete(oldest)
    }
    const w = this.windows.get(key)
    if (!w || t - w.startMs >= this.windowMs) {
      this.windows.delete(key)
      if (this.windows.size >= MAX_KEYS) {
        const oldest = this.windows.keys().next()
        if (!oldest.done) this.windows.delete(oldest.value)
      }
      this.windows.set(key, { startMs: t, count: 1 })
      return true
    }
    if (w.count >= this.limit) return false
    w.count++
    return true
  }

  /** How many keys are remembered (for tests). */
  get size(): number {
    return this.windows.size
  }
}
