import { findLabelBefore, type ContextWord } from './context-words.ts'
import { isStandaloneRun, type DigitRun } from './digit-runs.ts'
import type { Finding } from './finding.ts'

/** How far after "account number" / "账号" the number may start ("account number at ICBC is 6222…"). */
const LABEL_GAP = 24
const MIN_DIGITS = 8
const MAX_DIGITS = 34

/** A mainland mobile number is a login name, not a bank account: "我的账号是 13812345678". */
function isMobileNumber(digits: string): boolean {
  return digits.length === 11 && /^1[3-9]/.test(digits)
}

/** Group lengths of phone numbers written with separators: 502-741-8154, 010-1234-5678, 0755-12345678. */
const PHONE_SHAPES = new Set(['3,3,4', '3,4,4', '4,4,4', '4,3,4', '3,8', '4,8', '4,7', '3,7', '2,4,4'])

function isPhoneShaped(run: DigitRun): boolean {
  const groups = run.groupStarts.map((start, g) => (run.groupEnds[g] ?? start) - start)
  return PHONE_SHAPES.has(groups.join(','))
}

/**
 * Bank account numbers: 8–34 digits, only when labelled as an account or card number ("account number",
 * "账号", "卡号", "银行账户"). A number that also passes as a card is reported as a card (masked, not removed):
 * the combiner prefers card_number on overlap.
 */
export function findBankAccounts(text: string, runs: readonly DigitRun[], words: readonly ContextWord[]): Finding[] {
  const findings: Finding[] = []
  for (const run of runs) {
    if (run.digitCount < MIN_DIGITS || run.digitCount > MAX_DIGITS) continue
    if (!isStandaloneRun(text, run.start, run.end) || isMobileNumber(run.digits) || isPhoneShaped(run)) continue
    const label = findLabelBefore(words, text, run.start, LABEL_GAP)
    if (label?.kind !== 'account' && label?.kind !== 'card') continue
    findings.push({ type: 'bank_account', start: run.start, end: run.end })
  }
  return findings
}
