/** Repeats `unit` until the text is at least 1 MiB long: the input of the linear-time tests. */
export function oneMiBOf(unit: string): string {
  return unit.repeat(Math.ceil((1024 * 1024) / unit.length))
}

/**
 * Best of five wall-clock runs of `run`, in milliseconds, after one run on the first 10,000 characters to compile
 * the hot paths. The tests compare it with a generous bound: a linear scan of 1 MiB takes tens of milliseconds, a
 * quadratic or backtracking one takes seconds, and two cores are shared with other work.
 */
export function bestOfFiveMs(input: string, run: (input: string) => unknown): number {
  run(input.slice(0, 10_000))
  let bestMs = Number.POSITIVE_INFINITY
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = performance.now()
    run(input)
    bestMs = Math.min(bestMs, performance.now() - started)
  }
  return bestMs
}
