import { describe, expect, it } from 'vitest'
import { redactHtml } from './redact-html.ts'
import { redactSensitiveData } from './redact-sensitive-data.ts'

const MIB = 1024 * 1024

/** Repeats `unit` until the text is about 1 MiB long. */
function fill(unit: string): string {
  return unit.repeat(Math.ceil(MIB / unit.length))
}

/**
 * Pathological inputs for a backtracking matcher. The issue requires one timing assertion here (1 MB within
 * 200 ms). The limit is generous, and the best of five runs is taken, because two cores are shared with
 * other work; a quadratic scan would take seconds, not hundreds of milliseconds.
 */
const PATHOLOGICAL: Array<[string, string]> = [
  ['a long digit run', fill('4')],
  ['a long full-width digit run', fill('４')],
  ['repeated space separators', fill('1 ')],
  ['repeated dash separators', fill('1-')],
  ['card-shaped groups without end', fill('4242 ')],
  ['repeated 密码', fill('密码')],
  ['repeated "password "', fill('password ')],
  ['repeated "password: "', fill('password: ')],
  ['repeated 验证码是', fill('验证码是')],
  ['repeated "code is "', fill('code is ')],
  ['repeated account labels', fill('账号 ')],
  ['repeated IBAN prefixes', fill('DE89 ')],
  ['repeated unclosed quotes', fill('password "')],
]

/** The same for markup: unclosed tags, quotes and comments, entity runs, digits split by inline tags. */
const PATHOLOGICAL_HTML: Array<[string, string]> = [
  ['bare "<"', fill('<')],
  ['unclosed quoted attributes', fill('<a title="')],
  ['unclosed comments', fill('<!--')],
  ['bare "&"', fill('&')],
  ['digit entities', fill('&#52;')],
  ['digits split by inline tags', fill('<b>4</b> ')],
]

/** Best of five wall-clock runs, in milliseconds. */
function bestOfFiveMs(redact: () => void): number {
  let bestMs = Number.POSITIVE_INFINITY
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = performance.now()
    redact()
    bestMs = Math.min(bestMs, performance.now() - started)
  }
  return bestMs
}

describe('redaction runs in linear time', () => {
  it.each(PATHOLOGICAL)('finishes 1 MB of %s within 200 ms', (_name, input) => {
    redactSensitiveData(input.slice(0, 10_000)) // compile the hot paths before timing
    const bestMs = bestOfFiveMs(() => redactSensitiveData(input))
    expect(bestMs, `best of five: ${bestMs.toFixed(1)} ms`).toBeLessThan(200)
  })

  it.each(PATHOLOGICAL_HTML)('finishes 1 MB of HTML with %s within 200 ms', (_name, input) => {
    redactHtml(input.slice(0, 10_000))
    const bestMs = bestOfFiveMs(() => redactHtml(input))
    expect(bestMs, `best of five: ${bestMs.toFixed(1)} ms`).toBeLessThan(200)
  })
})
