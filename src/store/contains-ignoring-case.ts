/** Matchers of recent terms: a search checks one term against up to thousands of messages. */
const matchers = new Map<string, (text: string) => boolean>()
const MAX_MATCHERS = 64

/**
 * 1 when `text` holds `term`, letter case aside, else 0 (SQLite's maildesk_contains). Search checks a term's
 * trigram candidates with it: the trigram index keeps no positions (migration 0084), so a message holding all of a
 * term's trigrams may still not hold the term. SQLite's own lower() and LIKE fold ASCII letters only; this folds
 * every script, as the trigram index (and PostgreSQL's ILIKE) do.
 */
export function containsIgnoringCase(text: unknown, term: unknown): 0 | 1 {
  if (typeof text !== 'string' || typeof term !== 'string') return 0
  let matches = matchers.get(term)
  if (!matches) {
    if (matchers.size >= MAX_MATCHERS) matchers.clear()
    matches = matcherFor(term)
    matchers.set(term, matches)
  }
  return matches(text) ? 1 : 0
}

function matcherFor(term: string): (text: string) => boolean {
  // Without letters that have a case (Chinese, digits, punctuation), a plain search; else a case-insensitive one,
  // with Unicode's case folding, instead of lowercasing every message.
  if (term.toLowerCase() === term.toUpperCase()) return (text) => text.includes(term)
  const pattern = new RegExp(term.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'), 'iu')
  return (text) => pattern.test(text)
}
