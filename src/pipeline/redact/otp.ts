import type { ContextWord } from './context-words.ts'
import { endsCleanly, isAsciiAlnum, isDigitCode } from './digit-runs.ts'
import type { Finding } from './finding.ts'
import { findDigitValues } from './label-value.ts'

/** How far before an OTP label "123456 is your … code" may start (bounded, so the look-back is constant). */
const LOOK_BACK = 48

/** "123456 is your OKPay verification code": a forwarded SMS puts the code first. Tried once per label. */
const CODE_FIRST = /^\d{4,8} ?(?:is|was|是|为)(?: your| the)?(?: [A-Za-z]{1,12}){0,2} ?$/

/**
 * One-time codes (OTP, SMS and verification codes): four to eight digits right after a label ("验证码：384756",
 * "your code is 123456", "OTP 5521"), or right before one in a forwarded SMS ("845120 is your verification code").
 * "error code", "zip code" and friends are separate context words, so their numbers never reach here.
 */
export function findOneTimeCodes(text: string, words: readonly ContextWord[]): Finding[] {
  const findings = findDigitValues(text, words, ['otp'], 'otp', 4, 8)
  findings.push(...findDigitValues(text, words, ['security_code'], 'otp', 5, 8))
  findings.push(...findDigitValues(text, words, ['code'], 'otp', 4, 8, { needsConnector: true }))
  for (const word of words) {
    if (word.kind !== 'otp' && word.kind !== 'code') continue
    // The code is the last digit run in the few characters before the label.
    const from = Math.max(0, word.start - LOOK_BACK)
    let end = word.start
    while (end > from && !isDigitCode(text.charCodeAt(end - 1))) end--
    if (end === from) continue
    let start = end
    while (start > from && isDigitCode(text.charCodeAt(start - 1))) start--
    if (start > 0 && isAsciiAlnum(text.charCodeAt(start - 1))) continue
    if (!CODE_FIRST.test(text.slice(start, word.start)) || !endsCleanly(text, end)) continue
    findings.push({ type: 'otp', start, end })
  }
  return findings
}
