/** CJK ideographs, kana and Hangul: scripts written without spaces, where search needs character n-grams. */
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/

/**
 * The distinct pairs of adjacent CJK characters in a text, space-separated ("退款没有" → "退款 款没 没有"): what
 * the two-character search index stores, since the trigram index cannot answer a two-character word.
 */
export function cjkBigrams(text: string | null): string {
  if (!text) return ''
  const grams = new Set<string>()
  let previous = ''
  for (const ch of text) {
    if (CJK.test(ch)) {
      if (previous) grams.add(previous + ch)
      previous = ch
    } else previous = ''
  }
  return [...grams].join(' ')
}

/** True when a search term is exactly two CJK characters (the bigram index answers it). */
export function isCjkBigram(term: string): boolean {
  const chars = [...term]
  return chars.length === 2 && chars.every((c) => CJK.test(c))
}
