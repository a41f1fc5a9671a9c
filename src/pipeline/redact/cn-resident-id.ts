import { findLabelBefore, type ContextWord } from './context-words.ts'
import type { Finding } from './finding.ts'

/** How far before an ID an "order number" / "订单号" label still vetoes it. */
const LABEL_GAP = 24

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CHARS = '10X98765432'

/**
 * Candidate IDs: a region code, a birth date in 1900–2099, a sequence and a check character, standing alone.
 * Fixed width, so each start position costs at most 18 steps: linear on any input.
 */
const CANDIDATE = /(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g

/** GB 11643-1999 check character (ISO 7064 MOD 11-2) over the first 17 digits. */
export function computeResidentIdCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0)
  return CHECK_CHARS.charAt(sum % 11)
}

/** True for a real calendar date not after `today`: 19900230 is not one, nor is a birth date in 2076. */
function isValidBirthDate(yyyymmdd: string, today: Date): boolean {
  const year = Number(yyyymmdd.slice(0, 4))
  const month = Number(yyyymmdd.slice(4, 6))
  const day = Number(yyyymmdd.slice(6, 8))
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date <= today
}

/** True for an 18-character resident ID with a valid, past birth date and a valid check character. */
export function isResidentIdNumber(id: string, today: Date = new Date()): boolean {
  if (!/^[1-9]\d{16}[\dXx]$/.test(id)) return false
  if (!isValidBirthDate(id.slice(6, 14), today)) return false
  return computeResidentIdCheckChar(id.slice(0, 17)) === id.charAt(17).toUpperCase()
}

/**
 * Chinese resident ID numbers (居民身份证号码, GB 11643): 18 characters, valid birth date, valid check character,
 * and not labelled as an order, tracking or transaction number (one random 18-digit number in a few thousand
 * passes every check).
 */
export function findResidentIds(text: string, words: readonly ContextWord[]): Finding[] {
  const findings: Finding[] = []
  const today = new Date()
  for (const match of text.matchAll(CANDIDATE)) {
    if (!isResidentIdNumber(match[0], today)) continue
    if (findLabelBefore(words, text, match.index, LABEL_GAP)?.kind === 'reference') continue
    findings.push({ type: 'cn_resident_id', start: match.index, end: match.index + 18 })
  }
  return findings
}
