import type { ContextLabels } from './context-words.ts'
import type { Finding } from './finding.ts'
import { findDigitValues } from './label-value.ts'

/** Card and ATM PINs: four to six digits right after a label ("PIN: 1234", "取款密码是 654321"). */
export function findPins(text: string, labels: ContextLabels): Finding[] {
  return findDigitValues(text, labels.pin, 'pin', 4, 6)
}
