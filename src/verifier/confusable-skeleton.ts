import { CONFUSABLE_PAIRS } from './confusables.data.ts'

const PROTOTYPE = new Map<string, string>()
for (const pair of CONFUSABLE_PAIRS.split(',')) {
  const [hex, proto] = pair.split(':')
  if (hex && proto) PROTOTYPE.set(String.fromCodePoint(Number.parseInt(hex, 16)), proto)
}

/**
 * Sequences that read as another letter at a glance (UTS #39 maps m → rn, w → vv, d → cl); both sides of a
 * comparison are rewritten the same way, so "rnicrosoft" and "microsoft" share a skeleton.
 */
const MULTI_CHAR: Array<[RegExp, string]> = [
  [/m/g, 'rn'],
  [/w/g, 'vv'],
  [/d/g, 'cl'],
]

const COMBINING_MARK = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g

/**
 * The UTS #39-style skeleton of a label: lowercased, accents dropped, each confusable replaced by its Latin
 * prototype. Two labels with the same skeleton look alike to a reader.
 */
export function confusableSkeleton(label: string): string {
  let s = label.toLowerCase()
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(s)) {
    s = s.normalize('NFD').replace(COMBINING_MARK, '')
    let mapped = ''
    for (const ch of s) mapped += PROTOTYPE.get(ch) ?? ch
    s = mapped
  } else {
    s = s.replace(/0/g, 'o').replace(/1/g, 'l').replace(/\|/g, 'l')
  }
  for (const [re, to] of MULTI_CHAR) s = s.replace(re, to)
  return s
}

const ASCII_WORD_CONFUSABLES: Readonly<Record<string, string>> = { '0': 'o', '1': 'l', m: 'rn', w: 'vv', d: 'cl' }

/**
 * The skeletons of all words of a lowercase ASCII text in one pass, everything between words left as it is: each
 * run of [a-z0-9] becomes confusableSkeleton() of it (whose ASCII rewriting is per character, so a word's skeleton
 * is its characters' skeletons in a row). '|', which confusableSkeleton reads as 'l', is not a word character and
 * stays.
 */
export function skeletonOfAsciiWords(lowerAsciiText: string): string {
  return lowerAsciiText.replace(/[01mwd]/g, (ch) => ASCII_WORD_CONFUSABLES[ch] ?? ch)
}

/**
 * Characters of a skeleton that only they themselves produce from ASCII (not o l r n v c, which also come from 0, 1
 * and m w d): a lowercase ASCII word with that skeleton contains the longest run of them as it is.
 */
export function literalRunOfSkeleton(skeleton: string): string {
  let best = ''
  for (const run of skeleton.split(/[olrnvc]+/)) if (run.length > best.length) best = run
  return best
}

const SCRIPTS: Array<[string, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Han', /\p{Script=Han}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Hangul', /\p{Script=Hangul}/u],
  ['Hiragana', /\p{Script=Hiragana}/u],
  ['Katakana', /\p{Script=Katakana}/u],
  ['Thai', /\p{Script=Thai}/u],
]

/** The scripts of the letters in a label (Common and Inherited characters such as digits and '-' are ignored). */
export function scriptsOf(label: string): string[] {
  const found = new Set<string>()
  for (const ch of label) {
    if (ch < '\u0080') {
      if (/[a-zA-Z]/.test(ch)) found.add('Latin')
      continue
    }
    const hit = SCRIPTS.find(([, re]) => re.test(ch))
    if (hit) found.add(hit[0])
    else if (/\p{L}/u.test(ch)) found.add('Other')
  }
  return [...found]
}

/**
 * Mixed script per UTS #39 "single script" with the usual CJK allowance: Han with Latin (or with Hiragana,
 * Katakana or Hangul) is a normal mix in Chinese and Japanese names; Latin with Cyrillic or Greek is not.
 */
export function isMixedScript(label: string): boolean {
  const scripts = scriptsOf(label).filter((s) => s !== 'Han')
  if (scripts.length <= 1) return false
  const cjk = new Set(['Hiragana', 'Katakana', 'Hangul', 'Latin'])
  return !scripts.every((s) => cjk.has(s)) || scripts.includes('Cyrillic') || scripts.includes('Greek')
}
