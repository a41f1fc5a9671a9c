import type { ContextWord } from './context-words.ts'
import { endsCleanly, isDigitCode, readDigitRun } from './digit-runs.ts'
import type { Finding, FindingType } from './finding.ts'

/**
 * Where the value after a label starts: "password: x", "PIN is 1234", "验证码是 123456", "密码改成了abc123".
 * The filler between label and value is read by a bounded loop (at most MAX_FILLER characters), so a label
 * repeated a million times costs a constant per occurrence.
 */
export interface LabelValueStart {
  position: number
  /** A ":" / "：" / "=" separated label and value. */
  hasColon: boolean
  /** A connecting word ("is", "是", "changed to") separated them. */
  hasWord: boolean
}

const MAX_FILLER = 16

const CONNECTORS: readonly string[] = [
  'is', 'was', 'are', 'is now', 'is still', 'should be', 'to', 'set to', 'changed to', 'reset to', 'updated to',
  'as', 'set as', 'number', 'on the back is', 'on the back', 'on back', 'on the card is',
  '是', '为', '為', '就是', '是：', '改成', '改成了', '改为', '改為', '设置为', '设置成', '设为', '设成', '换成', '换成了',
  '已经', '已', '已经是', '现在是', '现在', '目前是', '应该是', '一直是', '都是', '号', '号码', '号是', '码',
]

/** Connectors by their first (lowercased) character, longest first, so "changed to" wins over "to". */
const CONNECTORS_BY_FIRST = new Map<number, string[]>()
for (const word of [...CONNECTORS].sort((a, b) => b.length - a.length)) {
  const first = word.charCodeAt(0)
  const list = CONNECTORS_BY_FIRST.get(first) ?? []
  list.push(word)
  CONNECTORS_BY_FIRST.set(first, list)
}

function lowerAscii(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0xa0 || code === 0x3000
}

function isColon(code: number): boolean {
  return code === 0x3a || code === 0xff1a || code === 0x3d || code === 0xff1d // : ： = ＝
}

/** Opening brackets and dashes that may sit between a label and its value: "OTP (123456)", "验证码【123456】". */
function isOpening(code: number): boolean {
  return code === 0x28 || code === 0xff08 || code === 0x3010 || code === 0x5b || code === 0x2d || code === 0x2014 || code === 0x2013 || code === 0x3e
}

function matchConnector(text: string, at: number): number {
  const candidates = CONNECTORS_BY_FIRST.get(lowerAscii(text.charCodeAt(at)))
  if (!candidates) return 0
  for (const word of candidates) {
    let k = 1
    while (k < word.length && at + k < text.length && lowerAscii(text.charCodeAt(at + k)) === word.charCodeAt(k)) k++
    if (k < word.length) continue
    const last = word.charCodeAt(word.length - 1)
    if (isAsciiLetter(last) && isAsciiLetter(at + word.length < text.length ? text.charCodeAt(at + word.length) : 0)) continue
    return word.length
  }
  return 0
}

/** Skips the filler after a label; returns where the value would start. */
export function findValueStart(text: string, labelEnd: number): LabelValueStart {
  let i = labelEnd
  let hasColon = false
  let hasWord = false
  while (i < text.length && i - labelEnd < MAX_FILLER) {
    const code = text.charCodeAt(i)
    if (isSpace(code) || isOpening(code)) {
      i++
      continue
    }
    if (isColon(code)) {
      hasColon = true
      i++
      continue
    }
    const connector = matchConnector(text, i)
    // A connector is a word of its own: "is" must not be the start of "issue".
    if (connector > 0 && (!isAsciiLetter(code) || i === labelEnd || !isAsciiLetter(text.charCodeAt(i - 1)))) {
      hasWord = true
      i += connector
      continue
    }
    break
  }
  return { position: i, hasColon, hasWord }
}

/** Quote marks customers put around a value: "123456", “123456”, '1234', 「1234」. */
export function isQuote(code: number): boolean {
  return code === 0x22 || code === 0x27 || code === 0x201c || code === 0x2018 || code === 0x300c || code === 0x300e || code === 0x60
}

/**
 * A digit value right after each of `labels`: `minDigits`–`maxDigits` digits, spaces or dashes allowed
 * inside ("123 456"), not glued to what follows; `needsConnector` wants ":" or "is" in between.
 */
export function findDigitValues(
  text: string,
  labels: readonly ContextWord[],
  type: FindingType,
  minDigits: number,
  maxDigits: number,
  options: { needsConnector?: boolean } = {},
): Finding[] {
  const findings: Finding[] = []
  for (const word of labels) {
    const start = findValueStart(text, word.end)
    if (options.needsConnector && !start.hasColon && !start.hasWord) continue
    let { position } = start
    if (position < text.length && isQuote(text.charCodeAt(position))) position++
    if (position >= text.length || !isDigitCode(text.charCodeAt(position))) continue
    const run = readDigitRun(text, position)
    if (run.digitCount < minDigits || run.digitCount > maxDigits || !endsCleanly(text, run.end)) continue
    findings.push({ type, start: run.start, end: run.end })
  }
  return findings
}
