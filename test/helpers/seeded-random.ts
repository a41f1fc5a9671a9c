/**
 * Repeatable randomness for generated test inputs: a test that fails must fail the same way next time. A linear
 * congruential generator (the C library's constants); each call answers a number in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
}

/** One of `list`, picked with `next`. */
export function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)] as T
}

/** `count` pieces of `pieces`, each picked with `next`, joined. */
export function randomText(next: () => number, pieces: readonly string[], count: number): string {
  let text = ''
  for (let k = count; k > 0; k--) text += pick(next, pieces)
  return text
}
