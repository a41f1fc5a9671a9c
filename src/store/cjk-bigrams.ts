/** CJK ideographs, kana and Hangul: scripts written without spaces, where search needs character n-grams. */
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/

/** Runs of two or more CJK characters. The ranges hold no surrogates, so a run's code units are its characters. */
const CJK_RUNS = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]{2,}/g

/**
 * The distinct pairs of adjacent CJK characters in a text, space-separated ("退款没有" → "退款 款没 没有"): what
 * the two-character search index stores, since the trigram index cannot answer a two-character word. It runs in the
 * search index trigger for every stored message, most of which have no CJK at all: a run search skips those at
 * regexp speed instead of testing each character.
 */
export function cjkBigrams(text: string | null): string {
  if (!text) return ''
  const grams = new Set<string>()
  for (const [run] of text.matchAll(CJK_RUNS)) {
    for (let i = 0; i + 1 < run.length; i++) grams.add(run.slice(i, i + 2))
  }
  return [...grams].join(' ')
}

/** True when a search term is exactly two CJK characters (the bigram index answers it). */
export function isCjkBigram(term: string): boolean {
  const chars = [...term]
  return chars.length === 2 && chars.every((c) => CJK.test(c))
}
