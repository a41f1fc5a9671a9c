import { confusableSkeleton } from '../../src/verifier/confusable-skeleton.ts'
import type { BrandProfile } from '../../src/verifier/brand-profile.ts'

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
