/**
 * Digit runs: numbers written as digit groups joined by single separators ("4242 4242-4242 4242"), the shape
 * cards, accounts and codes share. One pass over the text; a run is never re-scanned, so even a megabyte of
 * `1 1 1 1 …` costs one step per character.
 */

export interface DigitRun {
  start: number
  end: number
  /** The digits without separators; empty when the run is longer than `maxDigits` (not worth classifying). */
  digits: string
  digitCount: number
  /** Offsets where each digit group starts (only kept for runs within `maxDigits`). */
  groupStarts: number[]
  /** Offsets where each digit group ends. */
  groupEnds: number[]
}

/** Longest run that is still classified; anything longer is a dump of digits, not a card or an account. */
const MAX_DIGITS = 40

/** True for the UTF-16 code of 0–9. */
export function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57
}

function isSeparator(code: number): boolean {
  return code === 0x20 || code === 0x2d || code === 0xa0 || code === 0x2010 || code === 0x2011 // space, -, NBSP, ‐, ‑
}

/** True for the UTF-16 code of an ASCII letter or digit. */
export function isAsciiAlnum(code: number): boolean {
  return isDigitCode(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

/** Shortest run the label-free recognizers care about (bank accounts); shorter runs are skipped unbuilt. */
const MIN_DIGITS = 8

/** Finds every maximal digit run of at least 8 digits, left to right; shorter ones are values, read by labels. */
export function findDigitRuns(text: string): DigitRun[] {
  const runs: DigitRun[] = []
  const length = text.length
  let i = 0
  while (i < length) {
    if (!isDigitCode(text.charCodeAt(i))) {
      i++
      continue
    }
    const start = i
    let digitCount = 0
    for (;;) {
      const groupStart = i
      while (i < length && isDigitCode(text.charCodeAt(i))) i++
      digitCount += i - groupStart
      if (i + 1 < length && isSeparator(text.charCodeAt(i)) && isDigitCode(text.charCodeAt(i + 1))) {
        i++
        continue
      }
      break
    }
    if (digitCount >= MIN_DIGITS) runs.push(readDigitRun(text, start))
  }
  return runs
}

/** Reads the run that starts at `start` (a digit). */
export function readDigitRun(text: string, start: number): DigitRun {
  const length = text.length
  const groupStarts: number[] = []
  const groupEnds: number[] = []
  let digits = ''
  let digitCount = 0
  let i = start
  for (;;) {
    const groupStart = i
    while (i < length && isDigitCode(text.charCodeAt(i))) i++
    digitCount += i - groupStart
    if (digitCount <= MAX_DIGITS) {
      digits += text.slice(groupStart, i)
      groupStarts.push(groupStart)
      groupEnds.push(i)
    }
    if (i + 1 < length && isSeparator(text.charCodeAt(i)) && isDigitCode(text.charCodeAt(i + 1))) {
      i++
      continue
    }
    break
  }
  if (digitCount > MAX_DIGITS) return { start, end: i, digits: '', digitCount, groupStarts: [], groupEnds: [] }
  return { start, end: i, digits, digitCount, groupStarts, groupEnds }
}

/**
 * True when the run stands alone: not glued to letters or digits ("TXN4242…", "4242…abc"), not part of a
 * dotted or slashed token (dates, versions, amounts like 1,234.56), not after "+" (a phone number) or "#".
 * CJK text around a number is fine: "卡号4242…" has no spaces in Chinese.
 */
export function isStandaloneRun(text: string, start: number, end: number): boolean {
  const before = start > 0 ? text.charCodeAt(start - 1) : 0
  const after = end < text.length ? text.charCodeAt(end) : 0
  if (isAsciiAlnum(before) || isAsciiAlnum(after)) return false
  if (before === 0x2b || before === 0x5f || after === 0x5f) return false // + _
  const beforeThat = start > 1 ? text.charCodeAt(start - 2) : 0
  // "-" or "/" glued to a token before (OKP-4242…, A/4242…); ".", ",", ":" after a digit (1.4242…, 10:4242…).
  if ((before === 0x2d || before === 0x2f) && isAsciiAlnum(beforeThat)) return false
  if ((before === 0x2e || before === 0x2c || before === 0x3a) && isDigitCode(beforeThat)) return false
  if ((after === 0x2f || after === 0x2e || after === 0x2c || after === 0x3a) && isDigitCode(end + 1 < text.length ? text.charCodeAt(end + 1) : 0)) {
    return false // 4242/12, 1234.56, 1,234, 10:30
  }
  return true
}

/** True when a value ending at `end` is not glued to a following letter, digit, or decimal/time continuation. */
export function endsCleanly(text: string, end: number): boolean {
  const after = end < text.length ? text.charCodeAt(end) : 0
  if (isAsciiAlnum(after) || after === 0x5f) return false
  const afterThat = end + 1 < text.length ? text.charCodeAt(end + 1) : 0
  return !((after === 0x2f || after === 0x2e || after === 0x2c || after === 0x3a) && isDigitCode(afterThat))
}
