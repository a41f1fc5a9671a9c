import type { Language } from '../brand.ts'

const HAN_RUN = /\p{Script=Han}+/gu

function isLatinLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

/** Han characters in the text (code points: one outside the BMP is two UTF-16 units). Counted per run, not per character. */
function countHan(text: string): number {
  let count = 0
  HAN_RUN.lastIndex = 0
  for (let match = HAN_RUN.exec(text); match; match = HAN_RUN.exec(text)) {
    const run = match[0]
    count += run.length
    // A run holds whole code points only: each low surrogate is the second half of one.
    for (let i = 0; i < run.length; i++) {
      const code = run.charCodeAt(i)
      if (code >= 0xdc00 && code <= 0xdfff) count--
    }
  }
  return count
}

/**
 * The language to answer in: 'zh-CN' when Chinese characters make up a fair share of the letters, 'en' when the
 * text is mostly Latin letters, `fallback` (the brand's default language) when there are no letters at all.
 *
 * Han characters carry about as much meaning as a whole English word, so each counts as three Latin letters: a
 * Chinese message with an English product name or an order ID stays Chinese, an English message quoting one
 * Chinese name stays English. Counted without collecting the characters (a match per letter was an array as long
 * as the message).
 */
export function detectLanguage(text: string, fallback: Language = 'zh-CN'): Language {
  const han = countHan(text)
  let latin = 0
  for (let i = 0; i < text.length; i++) if (isLatinLetter(text.charCodeAt(i))) latin++
  if (han === 0 && latin === 0) return fallback
  return han * 3 >= latin * 0.5 ? 'zh-CN' : 'en'
}
