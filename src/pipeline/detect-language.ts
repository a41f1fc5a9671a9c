import type { Language } from '../brand.ts'

const HAN = /\p{Script=Han}/gu
const LATIN_LETTER = /[A-Za-z]/g

/**
 * The language to answer in: 'zh-CN' when Chinese characters make up a fair share of the letters, 'en' when the
 * text is mostly Latin letters, `fallback` (the brand's default language) when there are no letters at all.
 *
 * Han characters carry about as much meaning as a whole English word, so each counts as three Latin letters: a
 * Chinese message with an English product name or an order ID stays Chinese, an English message quoting one
 * Chinese name stays English.
 */
export function detectLanguage(text: string, fallback: Language = 'zh-CN'): Language {
  const han = text.match(HAN)?.length ?? 0
  const latin = text.match(LATIN_LETTER)?.length ?? 0
  if (han === 0 && latin === 0) return fallback
  return han * 3 >= latin * 0.5 ? 'zh-CN' : 'en'
}
