import type { BrandProfile } from '../../src/verifier/brand-profile.ts'
import { confusableSkeleton } from '../../src/verifier/confusable-skeleton.ts'
import { CONTENT_SIGNAL_PATTERNS, type ContentSignals, type CredentialKind } from '../../src/verifier/content-signals.ts'

/**
 * What mentionsBrandAsWord means, word by word (its implementation before it matched ASCII text in one pass): the
 * lowercased text split on anything but letters and digits, and on Han; a word names the brand when it is a token,
 * has a token's skeleton, or is a token followed by digits.
 */
export function mentionsBrandAsWordByWord(profile: BrandProfile, text: string): boolean {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+|\p{Script=Han}+/u)
  return words.some(
    (w) =>
      w.length > 0 &&
      (profile.tokens.includes(w) ||
        profile.tokenSkeletons.has(confusableSkeleton(w)) ||
        profile.tokens.some((t) => w.startsWith(t) && /^\d*$/.test(w.slice(t.length)))),
  )
}

/**
 * What findContentSignals means, sentence by sentence (its implementation before it tried each pattern on the whole
 * text first): every sentence of the first 100,000 characters read with every pattern.
 */
export function findContentSignalsBySentence(text: string): ContentSignals {
  const { credentials, request, negation, givesCode, threat: threatPattern, urgency } = CONTENT_SIGNAL_PATTERNS
  const sentences = text.slice(0, 100_000).split(/[.!?。！？\n;；]+/).map((s) => s.trim()).filter((s) => s.length > 0 && s.length < 600)
  const requested = new Set<CredentialKind>()
  let mentionsSecret = false
  let urgencyHits = 0
  let threat = false
  for (const sentence of sentences) {
    const kinds = credentials.filter(([, re]) => re.test(sentence)).map(([k]) => k)
    if (kinds.length > 0) {
      mentionsSecret = true
      const distinct = kinds.includes('pin') ? kinds.filter((k) => k !== 'password') : kinds
      const verbs = sentence.replace(/验证码|校验码/g, '码')
      if (request.test(verbs) && !negation.test(sentence) && !givesCode.test(sentence)) for (const k of distinct) requested.add(k)
    }
    if (threatPattern.test(sentence) && !/\bnever\b|不会/.test(sentence)) threat = true
    if (urgency.test(sentence)) urgencyHits++
  }
  return { requested: [...requested], givesCodeOnly: mentionsSecret && requested.size === 0, urgency: threat || urgencyHits >= 2 }
}
