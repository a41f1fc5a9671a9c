import type { ContextWord } from './context-words.ts'
import type { Finding } from './finding.ts'
import { findDigitValues } from './label-value.ts'

/**
 * CVV/CVC codes: three or four digits, only right after a label ("CVV 123", "安全码是 123", "security code: 1234").
 * Three digits alone are everywhere (amounts, counts, error codes), so there is no label-free rule.
 */
export function findCvvCodes(text: string, words: readonly ContextWord[]): Finding[] {
  return findDigitValues(text, words, ['cvv', 'security_code'], 'cvv', 3, 4)
}
