/** A DNS lookup as mailauth calls it (see authenticate-sender.ts): records of one type for one name. */
type Lookup = (name: string, rrtype: string) => Promise<string[][] | string[]>

export interface DnsCacheOptions {
  /** How long an answer with records is reused. */
  positiveTtlMs?: number
  /** How long "no such name" (ENOTFOUND) and "no records of that type" (ENODATA) are reused (RFC 2308). */
  negativeTtlMs?: number
  /** Names × types kept at most; the least recently used go first. */
  maxEntries?: number
  now?: () => number
}

const NEGATIVE_CODES = new Set(['ENOTFOUND', 'ENODATA'])

interface Entry {
  expiresAt: number
  answer: Promise<string[][] | string[]>
}

/**
 * Answers and negative answers reused for a short while, and concurrent lookups of one name shared: support mail
 * comes from the same few domains again and again, and node:dns asks the network every time. Without it, one
 * lookup in fifty that took a second (a resolver dropping a packet) held back every batch it fell into. Temporary
 * failures (timeouts, SERVFAIL) are not kept: the next message asks again.
 */
export function cachingResolver(lookup: Lookup, options: DnsCacheOptions = {}): Lookup {
  const positiveTtlMs = options.positiveTtlMs ?? 60_000 // 1 min: a changed SPF/DKIM/DMARC record is seen soon
  const negativeTtlMs = options.negativeTtlMs ?? 5 * 60_000 // 5 min
  const maxEntries = options.maxEntries ?? 10_000
  const now = options.now ?? Date.now
  const cache = new Map<string, Entry>()
  return (name, rrtype) => {
    const key = `${rrtype.toUpperCase()} ${name.toLowerCase().replace(/\.$/, '')}`
    const cached = cache.get(key)
    if (cached && cached.expiresAt > now()) {
      cache.delete(key) // re-inserted below: most recently used last
      cache.set(key, cached)
      return cached.answer
    }
    const entry: Entry = { expiresAt: Number.POSITIVE_INFINITY, answer: lookup(name, rrtype) } // shared while in flight
    entry.answer.then(
      () => {
        entry.expiresAt = now() + positiveTtlMs
      },
      (err: unknown) => {
        const code = err instanceof Error && 'code' in err ? String(err.code) : undefined
        if (code !== undefined && NEGATIVE_CODES.has(code)) entry.expiresAt = now() + negativeTtlMs
        else if (cache.get(key) === entry) cache.delete(key)
      },
    )
    cache.set(key, entry)
    if (cache.size > maxEntries) {
      const oldest = cache.keys().next().value
      if (oldest !== undefined) cache.delete(oldest)
    }
    return entry.answer
  }
}
