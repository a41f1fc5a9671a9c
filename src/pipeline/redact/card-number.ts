import { findLabelBefore, type ContextWord } from './context-words.ts'
import { isStandaloneRun, type DigitRun } from './digit-runs.ts'
import type { Finding } from './finding.ts'

/** How far before a number an "order number" / "交易编号" label still vetoes it as a card. */
const LABEL_GAP = 24

/** Luhn (ISO/IEC 7812-1) check over a string of digits. */
export function isLuhnValid(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return digits.length > 0 && sum % 10 === 0
}

function prefixIn(digits: string, length: number, low: number, high: number): boolean {
  const prefix = Number(digits.slice(0, length))
  return prefix >= low && prefix <= high
}

/** Issuer ranges (IIN prefixes and lengths) of the card networks customers write to us about. */
export function findCardNetwork(digits: string): string | undefined {
  const n = digits.length
  if (digits.startsWith('4') && (n === 13 || n === 16 || n === 19)) return 'visa'
  if ((prefixIn(digits, 2, 51, 55) || prefixIn(digits, 4, 2221, 2720)) && n === 16) return 'mastercard'
  if ((digits.startsWith('34') || digits.startsWith('37')) && n === 15) return 'amex'
  if ((digits.startsWith('6011') || prefixIn(digits, 3, 644, 649) || digits.startsWith('65') || prefixIn(digits, 6, 622126, 622925)) && n >= 16 && n <= 19) {
    return 'discover'
  }
  if (digits.startsWith('62') && n >= 16 && n <= 19) return 'unionpay'
  if (prefixIn(digits, 4, 3528, 3589) && n >= 16 && n <= 19) return 'jcb'
  if ((prefixIn(digits, 3, 300, 305) || digits.startsWith('3095') || digits.startsWith('36') || digits.startsWith('38') || digits.startsWith('39')) && n >= 14 && n <= 19) {
    return 'diners'
  }
  return undefined
}

/** True for 13–19 digits in a known issuer range that pass Luhn. */
export function isCardNumber(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && findCardNetwork(digits) !== undefined && isLuhnValid(digits)
}

/**
 * The part of a run that is a card number, if any: the whole run, or its first groups when something else
 * follows with only a space between ("4242 4242 4242 4242 12 26" — card, then an expiry).
 */
function findCardSpan(text: string, run: DigitRun): { start: number; end: number } | undefined {
  if (run.digitCount < 13 || run.digits === '') return undefined
  if (run.digitCount <= 19 && isStandaloneRun(text, run.start, run.end) && isCardNumber(run.digits)) {
    return { start: run.start, end: run.end }
  }
  let digitCount = 0
  for (let g = 0; g < run.groupEnds.length - 1; g++) {
    const groupStart = run.groupStarts[g] ?? 0
    const groupEnd = run.groupEnds[g] ?? 0
    digitCount += groupEnd - groupStart
    if (digitCount > 19) break
    if (digitCount >= 13 && isStandaloneRun(text, run.start, groupEnd) && isCardNumber(run.digits.slice(0, digitCount))) {
      return { start: run.start, end: groupEnd }
    }
  }
  return undefined
}

/** Payment card numbers: Luhn-valid, in an issuer range, and not labelled as an order or transaction number. */
export function findCardNumbers(text: string, runs: readonly DigitRun[], words: readonly ContextWord[]): Finding[] {
  const findings: Finding[] = []
  for (const run of runs) {
    const span = findCardSpan(text, run)
    if (!span) continue
    const label = findLabelBefore(words, text, span.start, LABEL_GAP)
    if (label?.kind === 'reference') continue
    findings.push({ type: 'card_number', start: span.start, end: span.end })
  }
  return findings
}
