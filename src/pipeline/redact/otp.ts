import type { ContextLabels, ContextWord } from './context-words.ts'
import { endsCleanly } from './digit-runs.ts'
import type { Finding } from './finding.ts'
import { findDigitValues } from './label-value.ts'

// Local copies: these run per character, and an imported binding costs a property read on every call.
function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

/** What may stand between a code and its label: "is your OKPay", "是您的". */
function mayLeadToLabel(code: number): boolean {
  return isAsciiLetter(code) || code === 0x20 || code === 0x662f || code === 0x4e3a || code === 0x60a8 || code === 0x7684 || code === 0x4f60
}

/** How far before an OTP label "123456 is your … code" may start (bounded, so the look-back is constant). */
const LOOK_BACK = 40

/** "123456 is your OKPay verification code": a forwarded SMS puts the code first. Tried once per label. */
const CODE_FIRST = /^\d{4,8} ?(?:is|was|是|为)(?: your| the|您的|你的)?(?: ?[A-Za-z]{1,12}){0,2} ?$/

/**
 * One-time codes (OTP, SMS and verification codes): four to eight digits right after a label ("验证码：384756",
 * "your code is 123456", "OTP 5521"), or right before one in a forwarded SMS ("845120 is your verification code").
 * "error code", "zip code" and friends are separate context words, so their numbers never reach here.
 */
export function findOneTimeCodes(text: string, labels: ContextLabels): Finding[] {
  return [
    ...findDigitValues(text, labels.otp, 'otp', 4, 8),
    ...findDigitValues(text, labels.security_code, 'otp', 5, 8),
    ...findDigitValues(text, labels.code, 'otp', 4, 8, { needsConnector: true }),
    ...findCodesBeforeLabels(text, labels.otp),
    ...findCodesBeforeLabels(text, labels.code),
  ]
}

/** "845120 is your verification code": the code right before its label. */
function findCodesBeforeLabels(text: string, labels: readonly ContextWord[]): Finding[] {
  const findings: Finding[] = []
  for (const word of labels) {
    // The code is the last digit run in the few characters before the label.
    const from = Math.max(0, word.start - LOOK_BACK)
    // "is your OKPay" has at most four spaces; stop at the fifth, so repeated labels cost a few steps each.
    let end = word.start
    let spaces = 0
    while (end > from && mayLeadToLabel(text.charCodeAt(end - 1))) {
      if (text.charCodeAt(end - 1) === 0x20 && ++spaces > 4) break
      end--
    }
    if (end === from || !isDigit(text.charCodeAt(end - 1))) continue
    let start = end
    while (start > from && isDigit(text.charCodeAt(start - 1))) start--
    if (start > 0 && (isDigit(text.charCodeAt(start - 1)) || isAsciiLetter(text.charCodeAt(start - 1)))) continue
    if (!CODE_FIRST.test(text.slice(start, word.start)) || !endsCleanly(text, end)) continue
    findings.push({ type: 'otp', start, end })
  }
  return findings
}
