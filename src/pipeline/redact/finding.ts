/** Kinds of sensitive data the redaction stage recognizes; stored and logged as counts only. */
export type FindingType = 'card_number' | 'cvv' | 'pin' | 'password' | 'otp' | 'cn_resident_id' | 'iban' | 'bank_account'

export const FINDING_TYPES: readonly FindingType[] = [
  'card_number',
  'cvv',
  'pin',
  'password',
  'otp',
  'cn_resident_id',
  'iban',
  'bank_account',
]

/** One recognized secret: its kind and its UTF-16 offsets [start, end) into the input that was scanned. */
export interface Finding {
  type: FindingType
  start: number
  end: number
}

/** Counts findings per type, for storage and logs; never carries the values. */
export function summarizeFindings(findings: readonly Finding[]): Record<FindingType, number> {
  const counts: Record<FindingType, number> = {
    card_number: 0,
    cvv: 0,
    pin: 0,
    password: 0,
    otp: 0,
    cn_resident_id: 0,
    iban: 0,
    bank_account: 0,
  }
  for (const finding of findings) counts[finding.type] += 1
  return counts
}
