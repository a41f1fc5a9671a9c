/**
 * Fixed-window counters per key (an IP address, an email): `take` answers whether one more attempt fits.
 * In memory, per process: with several HTTP processes each allows the limit, which still caps a flood.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>()

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  take(key: string, now: Date): boolean {
    const t = now.getTime()
    if (this.windows.size > 50_000) this.prune(t)
    const w = this.windows.get(key)
    if (!w || t - w.startMs >= this.windowMs) {
      this.windows.set(key, { startMs: t, count: 1 })
      return true
    }
    if (w.count >= this.limit) return false
    w.count++
    return true
  }

  private prune(t: number): void {
    for (const [key, w] of this.windows) if (t - w.startMs >= this.windowMs) this.windows.delete(key)
  }
}
