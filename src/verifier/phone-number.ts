import type { BrandProfile } from './brand-profile.ts'

/** Input that reads as a phone number: digits with the usual separators, at least 5 digits (95588 is a bank's). */
export function looksLikePhoneNumber(input: string): boolean {
  if (!/^(tel:)?\+?[\d\s().\-/]{5,40}$/i.test(input)) return false
  const digits = input.replace(/\D/g, '')
  return digits.length >= 5 && digits.length <= 16
}

/**
 * The hotline a number matches after normalising: separators dropped, "00" read as "+", and a number dialled
 * without the country code (400-820-6688) matched against the national part (+86 400-820-6688).
 */
export function findMatchingHotline(profile: BrandProfile, input: string): BrandProfile['hotlines'][number] | undefined {
  let s = input.trim().replace(/^tel:/i, '').replace(/[\s().\-/]/g, '')
  if (s.startsWith('00')) s = `+${s.slice(2)}`
  const international = s.startsWith('+')
  const digits = s.replace(/\D/g, '')
  return profile.hotlines.find((h) => (international ? digits === h.full : digits === h.national || digits === `0${h.national}` || digits === h.full))
}
