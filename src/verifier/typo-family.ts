/**
 * Classifies how a label differs from the brand label by one edit, with dnstwist's families as the vocabulary:
 * omission, repetition, transposition, insertion, replacement (bit-flip, keyboard-adjacent, vowel-swap, other)
 * and hyphenation. Returns undefined when the labels are equal or more than one edit apart.
 */
export type TypoFamily =
  | 'omission'
  | 'repetition'
  | 'transposition'
  | 'insertion'
  | 'bitflip'
  | 'keyboard'
  | 'vowel_swap'
  | 'replacement'
  | 'hyphenation'

const KEYBOARD_ROWS = ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm']
const NEIGHBOURS = new Map<string, Set<string>>()
for (let r = 0; r < KEYBOARD_ROWS.length; r++) {
  const row = KEYBOARD_ROWS[r] ?? ''
  for (let c = 0; c < row.length; c++) {
    const set = new Set<string>()
    for (const [dr, dc] of [[0, -1], [0, 1], [-1, 0], [-1, 1], [1, 0], [1, -1]] as const) {
      const other = KEYBOARD_ROWS[r + dr]?.[c + dc]
      if (other) set.add(other)
    }
    NEIGHBOURS.set(row[c] ?? '', set)
  }
}
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y'])

function classifyReplacement(expected: string, actual: string): TypoFamily {
  // Families overlap (a→e is both a vowel swap and a bit-flip); the most human explanation wins.
  if (VOWELS.has(expected) && VOWELS.has(actual)) return 'vowel_swap'
  if (NEIGHBOURS.get(expected)?.has(actual)) return 'keyboard'
  const xor = (expected.charCodeAt(0) ^ actual.charCodeAt(0)) & 0xff
  if (xor !== 0 && (xor & (xor - 1)) === 0) return 'bitflip'
  return 'replacement'
}

export function classifyTypo(brand: string, label: string): TypoFamily | undefined {
  if (label === brand) return undefined
  if (label.includes('-') && label.replace(/-/g, '') === brand) return 'hyphenation'
  const b = brand.length
  const l = label.length
  if (l === b) {
    let first = -1
    let diffs = 0
    for (let i = 0; i < b; i++) {
      if (brand[i] !== label[i]) {
        if (first < 0) first = i
        diffs++
        if (diffs > 2) return undefined
      }
    }
    if (diffs === 1) return classifyReplacement(brand[first] ?? '', label[first] ?? '')
    if (diffs === 2 && brand[first] === label[first + 1] && brand[first + 1] === label[first]) return 'transposition'
    return undefined
  }
  if (l === b - 1) {
    for (let i = 0; i < b; i++) if (brand.slice(0, i) + brand.slice(i + 1) === label) return 'omission'
    return undefined
  }
  if (l === b + 1) {
    for (let i = 0; i < l; i++) {
      if (label.slice(0, i) + label.slice(i + 1) === brand) {
        return label[i] === label[i - 1] || label[i] === label[i + 1] ? 'repetition' : 'insertion'
      }
    }
  }
  return undefined
}
