import type { Finding } from './finding.ts'

/** IBAN length per country (ISO 13616 registry, SWIFT release 2024). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24,
  PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
}

/** Countries whose BBAN is digits only (ISO 13616 registry): a letter after the check digits ends the candidate. */
const NUMERIC_BBAN = new Set(['AT', 'BE', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FO', 'GL', 'HR', 'HU', 'IL', 'LT', 'NO', 'PL', 'PT', 'RS', 'SE', 'SI', 'SK', 'TN', 'AE'])

/** IBAN_LENGTHS by (first letter − A) × 26 + (second letter − A); 0 for no IBAN country. */
const LENGTH_BY_COUNTRY = new Uint8Array(26 * 26)
/** 1 where NUMERIC_BBAN holds the country, by the same index. */
const NUMERIC_BY_COUNTRY = new Uint8Array(26 * 26)
for (const [country, length] of Object.entries(IBAN_LENGTHS)) {
  const index = (country.charCodeAt(0) - 65) * 26 + (country.charCodeAt(1) - 65)
  LENGTH_BY_COUNTRY[index] = length
  if (NUMERIC_BBAN.has(country)) NUMERIC_BY_COUNTRY[index] = 1
}

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90
}

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || isUpper(code) || (code >= 97 && code <= 122)
}

/** ISO 7064 MOD 97-10 over an IBAN without spaces: the remainder of a valid one is 1. */
export function isIbanChecksumValid(iban: string): boolean {
  const codes = new Int32Array(iban.length)
  for (let i = 0; i < iban.length; i++) codes[i] = iban.charCodeAt(i)
  return mod97(codes, iban.length) === 1
}

/** MOD 97 of the IBAN's character codes, its first four characters moved to the end; letters count A=10…Z=35. */
function mod97(codes: Int32Array, count: number): number {
  let remainder = 0
  for (let k = 0; k < count; k++) {
    const code = codes[(k + 4) % count] ?? 0
    const upper = code >= 97 ? code - 32 : code
    const value = isUpper(upper) ? upper - 55 : upper - 48
    remainder = value > 9 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97
  }
  return remainder
}

/**
 * IBANs, compact or printed in groups of four ("DE89 3704 0044 0532 0130 00"): a known country, its exact
 * length, and a valid mod-97 check. Each candidate start reads at most that length, so the scan is linear.
 */
export function findIbans(text: string): Finding[] {
  const findings: Finding[] = []
  const length = text.length
  const codes = new Int32Array(34) // the longest IBAN
  let i = 0
  while (i + 4 <= length) {
    const a = text.charCodeAt(i)
    const b = text.charCodeAt(i + 1)
    const expected = isUpper(a) && isUpper(b) ? (LENGTH_BY_COUNTRY[(a - 65) * 26 + (b - 65)] ?? 0) : 0
    if (
      expected === 0 ||
      (i > 0 && isAlnum(text.charCodeAt(i - 1))) ||
      !(text.charCodeAt(i + 2) >= 48 && text.charCodeAt(i + 2) <= 57) ||
      !(text.charCodeAt(i + 3) >= 48 && text.charCodeAt(i + 3) <= 57)
    ) {
      i++
      continue
    }
    const numericOnly = NUMERIC_BY_COUNTRY[(a - 65) * 26 + (b - 65)] === 1
    let count = 0
    let j = i
    while (j < length && count < expected) {
      const code = text.charCodeAt(j)
      if (numericOnly && count >= 4 && !(code >= 48 && code <= 57) && code !== 0x20) break
      if (isAlnum(code)) {
        codes[count++] = code
        j++
      } else if (code === 0x20 && j + 1 < length && isAlnum(text.charCodeAt(j + 1)) && count % 4 === 0) {
        j++ // printed form: a single space between groups of four
      } else {
        break
      }
    }
    if (count === expected && (j >= length || !isAlnum(text.charCodeAt(j))) && mod97(codes, count) === 1) {
      findings.push({ type: 'iban', start: i, end: j })
      i = j
      continue
    }
    i++
  }
  return findings
}
