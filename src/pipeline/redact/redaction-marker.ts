import type { FindingType } from './finding.ts'

export type MarkerLanguage = 'en' | 'zh'

/** How far around a finding the language of the sentence is judged (bounded: constant work per finding). */
const LANGUAGE_WINDOW = 40

const REMOVED: Record<Exclude<FindingType, 'card_number'>, Record<MarkerLanguage, string>> = {
  cvv: { en: '[CVV removed]', zh: '[安全码已删除]' },
  pin: { en: '[PIN removed]', zh: '[PIN已删除]' },
  password: { en: '[password removed]', zh: '[密码已删除]' },
  otp: { en: '[verification code removed]', zh: '[验证码已删除]' },
  cn_resident_id: { en: '[ID number removed]', zh: '[身份证号已删除]' },
  iban: { en: '[IBAN removed]', zh: '[IBAN已删除]' },
  bank_account: { en: '[account number removed]', zh: '[账号已删除]' },
}

function isCjk(code: number): boolean {
  return (code >= 0x3400 && code <= 0x9fff) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0x3000 && code <= 0x303f) || (code >= 0xff00 && code <= 0xffef)
}

/** Chinese when the line around [start, end) has any CJK character, English otherwise. */
export function detectMarkerLanguage(text: string, start: number, end: number): MarkerLanguage {
  for (let i = start - 1; i >= Math.max(0, start - LANGUAGE_WINDOW); i--) {
    const code = text.charCodeAt(i)
    if (code === 0x0a) break
    if (isCjk(code)) return 'zh'
  }
  for (let i = end; i < Math.min(text.length, end + LANGUAGE_WINDOW); i++) {
    const code = text.charCodeAt(i)
    if (code === 0x0a) break
    if (isCjk(code)) return 'zh'
  }
  return 'en'
}

/**
 * The typed marker that replaces a finding: cards keep their last four digits (`[card •••• 4242]`,
 * `[银行卡 •••• 4242]`); every other secret is removed (`[password removed]`, `[密码已删除]`).
 * Markers never contain anything a recognizer matches, so redacting twice changes nothing.
 */
export function formatRedactionMarker(type: FindingType, value: string, language: MarkerLanguage): string {
  if (type === 'card_number') {
    const lastFour = value.replace(/\D/g, '').slice(-4)
    return language === 'zh' ? `[银行卡 •••• ${lastFour}]` : `[card •••• ${lastFour}]`
  }
  return REMOVED[type][language]
}
