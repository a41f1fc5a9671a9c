import { findBankAccounts } from './bank-account.ts'
import { findCardNumbers } from './card-number.ts'
import { findResidentIds } from './cn-resident-id.ts'
import { groupContextWords, indexContextWords } from './context-words.ts'
import { findCvvCodes } from './cvv.ts'
import { findDigitRuns } from './digit-runs.ts'
import type { Finding, FindingType } from './finding.ts'
import { findIbans } from './iban.ts'
import { findOneTimeCodes } from './otp.ts'
import { findPasswords } from './password.ts'
import { normalizeWidth } from './normalize-width.ts'
import { findPins } from './pin.ts'
import { detectMarkerLanguage, formatRedactionMarker } from './redaction-marker.ts'

export type { Finding, FindingType } from './finding.ts'
export { FINDING_TYPES, summarizeFindings } from './finding.ts'

/**
 * When two recognizers claim overlapping text, the lower rank wins: a number that is both a valid resident ID
 * and a Luhn-valid UnionPay number is an ID; a labelled account number that passes as a card is masked as a
 * card (agents keep the last four) rather than removed.
 */
const RANK: Record<FindingType, number> = {
  cn_resident_id: 0,
  card_number: 1,
  iban: 2,
  password: 3,
  otp: 4,
  pin: 5,
  cvv: 6,
  bank_account: 7,
}

/** Keeps non-overlapping findings, preferring the better-ranked one of any overlapping pair; sorted by start. */
function resolveOverlaps(candidates: Finding[]): Finding[] {
  const sorted = [...candidates].sort((a, b) => a.start - b.start || RANK[a.type] - RANK[b.type] || b.end - a.end)
  const kept: Finding[] = []
  for (const candidate of sorted) {
    const last = kept[kept.length - 1]
    if (!last || candidate.start >= last.end) {
      kept.push(candidate)
    } else if (RANK[candidate.type] < RANK[last.type]) {
      kept[kept.length - 1] = candidate
    }
  }
  return kept
}

/** Finds every secret in `text`, without changing it; offsets are into `text`, sorted, never overlapping. */
export function findSensitiveData(original: string): Finding[] {
  const text = normalizeWidth(original)
  const words = indexContextWords(text)
  const labels = groupContextWords(words)
  const runs = findDigitRuns(text)
  return resolveOverlaps([
    ...findCardNumbers(text, runs, words),
    ...findCvvCodes(text, labels),
    ...findPins(text, labels),
    ...findPasswords(text, labels),
    ...findOneTimeCodes(text, labels),
    ...findResidentIds(text, words),
    ...findIbans(text),
    ...findBankAccounts(text, runs, words),
  ])
}

/** Replaces each finding in `text` with its typed marker, in the language of the sentence around it. */
export function applyRedactions(text: string, findings: readonly Finding[]): string {
  const parts: string[] = []
  let cursor = 0
  for (const finding of findings) {
    parts.push(text.slice(cursor, finding.start))
    const language = detectMarkerLanguage(text, finding.start, finding.end)
    parts.push(formatRedactionMarker(finding.type, normalizeWidth(text.slice(finding.start, finding.end)), language))
    cursor = finding.end
  }
  parts.push(text.slice(cursor))
  return parts.join('')
}

/**
 * Redacts card numbers (masked to the last four), CVVs, PINs, passwords, one-time codes, Chinese resident
 * IDs, IBANs and labelled bank account numbers; `findings` carry offsets into the input `text`.
 * Linear in the length of `text`.
 */
export function redactSensitiveData(text: string): { text: string; findings: Finding[] } {
  const findings = findSensitiveData(text)
  return { text: applyRedactions(text, findings), findings }
}
