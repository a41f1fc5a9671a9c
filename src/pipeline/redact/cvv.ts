import type { ContextLabels } from './context-words.ts'
import type { Finding } from './finding.ts'
import { findDigitValues } from './label-value.ts'

/**
 * CVV/CVC codes: three or four digits, only right after a label ("CVV 123", "安全码是 123", "security code: 1234").
 * Three digits alone are everywhere (amounts, counts, error codes), so there is no label-free rule.
 */
export function findCvvCodes(text: string, labels: ContextLabels): Finding[] {
  return [...findDigitValues(text, labels.cvv, 'cvv', 3, 4), ...findDigitValues(text, labels.security_code, 'cvv', 3, 4)]
}
